using System.Globalization;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// The Swagger 2.0 document in gnostic's protobuf form (<c>openapi.v2.Document</c> of
/// github.com/google/gnostic-models), which is the only form kubectl up to 1.27 accepts from
/// <c>/openapi/v2</c> (it parses the body with proto.Unmarshal; on 406 it retries
/// <c>/swagger-2.0.0.pb-v1</c>, also protobuf). Field numbers are those of OpenAPIv2.proto.
/// Vendor extensions are <c>NamedAny</c> whose <c>yaml</c> holds the value as JSON, which is YAML.
/// </summary>
internal static class SwaggerV2Protobuf
{
    public static byte[] Write(IReadOnlyList<ApiPath> paths, IEnumerable<DefinitionSchema> definitions)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(definitions);
        var document = new ProtoWriter();
        document.String(1, "2.0");
        document.Message(2, info =>
        {
            info.String(1, "Kubernetes");
            info.String(2, OpenApiDocumentWriter.ServerVersion);
        });
        document.Message(8, all =>
        {
            foreach (var path in paths)
            {
                all.Message(2, named =>
                {
                    named.String(1, path.Path);
                    named.Message(2, item => WritePathItem(item, path));
                });
            }
        });
        document.Message(9, all =>
        {
            foreach (var definition in definitions)
            {
                all.Message(1, named =>
                {
                    named.String(1, definition.Name);
                    named.Message(2, schema => WriteDefinition(schema, definition));
                });
            }
        });
        document.Message(12, requirement => requirement.Message(1, named =>
        {
            named.String(1, "BearerToken");
            named.Message(2, _ => { });
        }));
        document.Message(13, all => all.Message(1, named =>
        {
            named.String(1, "BearerToken");
            named.Message(2, item => item.Message(2, apiKey =>
            {
                apiKey.String(1, "apiKey");
                apiKey.String(2, "authorization");
                apiKey.String(3, "header");
                apiKey.String(4, "Bearer Token authentication");
            }));
        }));
        return document.WrittenSpan.ToArray();
    }

    private static void WritePathItem(ProtoWriter item, ApiPath path)
    {
        foreach (var operation in path.Operations)
        {
            var field = operation.Method switch
            {
                "get" => 2,
                "put" => 3,
                "post" => 4,
                "delete" => 5,
                "patch" => 8,
                _ => throw new InvalidOperationException("unexpected method " + operation.Method),
            };
            item.Message(field, op => WriteOperation(op, operation));
        }

        foreach (var parameter in path.Parameters)
        {
            item.Message(9, p => WriteParameter(p, parameter));
        }
    }

    private static void WriteOperation(ProtoWriter op, ApiOperation operation)
    {
        op.String(1, (operation.Kind.Group.Length == 0 ? "core" : operation.Kind.Group.Split('.')[0]) + "_" + operation.Kind.Version);
        op.String(3, operation.Description);
        op.String(5, operation.OperationId);
        op.Strings(6, ["application/json", "application/yaml"]);
        op.Strings(7, operation.IsPatch
            ? ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"]
            : ["*/*"]);
        if (operation.Body is not null)
        {
            op.Message(8, item => item.Message(1, parameter => parameter.Message(1, body =>
            {
                body.String(2, "body");
                body.String(3, "body");
                body.Bool(4, operation.Method != "delete");
                body.Message(5, schema => schema.String(1, SchemaWriter.RefPath(OpenApiFlavor.V2, operation.Body)));
            })));
        }

        foreach (var parameter in operation.Parameters)
        {
            op.Message(8, p => WriteParameter(p, parameter));
        }

        op.Message(9, responses =>
        {
            foreach (var code in operation.SuccessCodes)
            {
                responses.Message(1, named =>
                {
                    named.String(1, code.ToString(CultureInfo.InvariantCulture));
                    named.Message(2, value => value.Message(1, response =>
                    {
                        response.String(1, code switch { 201 => "Created", 202 => "Accepted", _ => "OK" });
                        response.Message(2, item => item.Message(1, schema => schema.String(1, SchemaWriter.RefPath(OpenApiFlavor.V2, operation.Response))));
                    }));
                });
            }

            responses.Message(1, named =>
            {
                named.String(1, "401");
                named.Message(2, value => value.Message(1, response => response.String(1, "Unauthorized")));
            });
        });
        op.Strings(10, ["https"]);
        Extension(op, 13, "x-kubernetes-action", "\"" + operation.Action + "\"");
        Extension(op, 13, "x-kubernetes-group-version-kind", SchemaWriter.GroupVersionKindJson(operation.Kind));
    }

    /// <summary>ParametersItem → Parameter → NonBodyParameter → query or path sub-schema.</summary>
    private static void WriteParameter(ProtoWriter item, ApiParameter parameter) =>
        item.Message(1, p => p.Message(2, nonBody =>
        {
            var isPath = parameter.In == "path";
            nonBody.Message(isPath ? 4 : 3, sub =>
            {
                sub.Bool(1, parameter.Required);
                sub.String(2, parameter.In);
                sub.String(3, parameter.Description);
                sub.String(4, parameter.Name);
                sub.String(isPath ? 5 : 6, parameter.Type);
                sub.Bool(isPath ? 19 : 20, true);
            });
        }));

    private static void WriteDefinition(ProtoWriter schema, DefinitionSchema definition)
    {
        schema.String(4, definition.Description);
        switch (definition.Form)
        {
            case DefinitionForm.IntOrString:
                schema.String(2, "int-or-string");
                Type(schema, "string");
                return;
            case DefinitionForm.Quantity:
                Type(schema, "string");
                return;
            case DefinitionForm.FreeFormObject:
                Type(schema, "object");
                return;
            default:
                break;
        }

        schema.Strings(19, definition.Required);
        Type(schema, "object");
        schema.Message(25, properties =>
        {
            foreach (var property in definition.Properties)
            {
                properties.Message(1, named =>
                {
                    named.String(1, property.Name);
                    named.Message(2, s => WriteProperty(s, property));
                });
            }
        });
        if (definition.Kinds.Count > 0)
        {
            Extension(schema, 31, "x-kubernetes-group-version-kind", "[" + string.Join(",", definition.Kinds.Select(SchemaWriter.GroupVersionKindJson)) + "]");
        }

        if (definition.AtomicMap)
        {
            Extension(schema, 31, "x-kubernetes-map-type", "\"atomic\"");
        }
    }

    private static void WriteProperty(ProtoWriter schema, PropertySchema property)
    {
        WriteShape(schema, property.Shape);
        schema.String(4, property.Description);
        if (property.Patch is { } patch)
        {
            foreach (var (name, json) in SchemaWriter.PatchExtensions(patch))
            {
                Extension(schema, 31, name, json);
            }
        }
    }

    private static void WriteShape(ProtoWriter schema, SchemaShape shape)
    {
        switch (shape)
        {
            case PrimitiveShape primitive:
                schema.String(2, primitive.Format);
                Type(schema, primitive.Type);
                break;
            case ArrayShape array:
                Type(schema, "array");
                schema.Message(23, items => items.Message(1, s => WriteShape(s, array.Items)));
                break;
            case MapShape map:
                schema.Message(21, additional => additional.Message(1, s => WriteShape(s, map.Values)));
                Type(schema, "object");
                break;
            case RefShape reference:
                schema.String(1, SchemaWriter.RefPath(OpenApiFlavor.V2, reference.Definition));
                break;
            default:
                Type(schema, "object");
                break;
        }
    }

    private static void Type(ProtoWriter schema, string type) => schema.Message(22, item => item.String(1, type));

    /// <summary>A NamedAny vendor extension whose Any carries the value as YAML (JSON is YAML).</summary>
    private static void Extension(ProtoWriter message, int field, string name, string json) =>
        message.Message(field, named =>
        {
            named.String(1, name);
            named.Message(2, any => any.String(2, json));
        });
}
