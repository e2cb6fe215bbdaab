using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.Json.Serialization.Metadata;
using System.Xml.Linq;
using k8s;

namespace NodeAgent.Tests.Aot;

/// <summary>
/// The Native AOT publish empties the static constructor of the client's generated JSON context
/// (agent/NodeAgent/KubernetesJsonSubstitutions.xml), which is safe only while nothing but the client's settings reads
/// its <c>Default</c>, and they combine it with a resolver chain that skips null. CI never publishes AOT, so a client
/// upgrade that breaks either assumption must fail here.
/// </summary>
public sealed class KubernetesJsonSubstitutionTests
{
    private const string Context = "SourceGenerationContext";

    [Fact]
    public void The_substituted_static_constructor_exists_in_the_client()
    {
        var file = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "aot", "KubernetesJsonSubstitutions.xml"));
        var assembly = file.Descendants("assembly").Single();
        var type = assembly.Descendants("type").Single();
        var method = type.Descendants("method").Single();

        Assert.Equal(typeof(KubernetesJson).Assembly.GetName().Name, assembly.Attribute("fullname")!.Value);
        var context = typeof(KubernetesJson).Assembly.GetType(type.Attribute("fullname")!.Value, throwOnError: true)!;
        Assert.Equal("System.Void .cctor()", method.Attribute("signature")!.Value);
        Assert.NotNull(context.TypeInitializer);
        Assert.Equal("stub", method.Attribute("body")!.Value);
    }

    [Fact]
    public void Only_the_clients_settings_read_its_generated_context()
    {
        using var pe = new PEReader(File.OpenRead(typeof(KubernetesJson).Assembly.Location));
        var metadata = pe.GetMetadataReader();

        var readers = MethodsReferencing(pe, metadata, Context)
            .Where(m => m.DeclaringType != Context)
            .Select(m => $"{m.DeclaringType}::{m.Name}")
            .ToList();

        Assert.Equal(["KubernetesJson::.cctor"], readers);
    }

    [Fact]
    public void A_null_resolver_is_skipped_when_resolvers_are_combined()
    {
        var combined = JsonTypeInfoResolver.Combine(null, new DefaultJsonTypeInfoResolver());

        Assert.IsType<DefaultJsonTypeInfoResolver>(combined);
    }

    private static IEnumerable<(string DeclaringType, string Name)> MethodsReferencing(PEReader pe, MetadataReader metadata, string typeName)
    {
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            var declaring = OutermostName(metadata, type);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = metadata.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress != 0
                    && Tokens(pe.GetMethodBody(method.RelativeVirtualAddress)).Any(t => OwnerName(metadata, t) == typeName))
                {
                    yield return (declaring, metadata.GetString(method.Name));
                }
            }
        }
    }

    // Nested types (closures, state machines) count as their outermost type.
    private static string OutermostName(MetadataReader metadata, TypeDefinition type)
    {
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = metadata.GetTypeDefinition(outer);
        }

        return metadata.GetString(type.Name);
    }

    private static string OwnerName(MetadataReader metadata, EntityHandle token) => token.Kind switch
    {
        HandleKind.MemberReference => TypeName(metadata, metadata.GetMemberReference((MemberReferenceHandle)token).Parent),
        HandleKind.MethodDefinition => TypeName(metadata, metadata.GetMethodDefinition((MethodDefinitionHandle)token).GetDeclaringType()),
        HandleKind.FieldDefinition => TypeName(metadata, metadata.GetFieldDefinition((FieldDefinitionHandle)token).GetDeclaringType()),
        _ => TypeName(metadata, token),
    };

    private static string TypeName(MetadataReader metadata, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => metadata.GetString(metadata.GetTypeDefinition((TypeDefinitionHandle)handle).Name),
        HandleKind.TypeReference => metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)handle).Name),
        _ => "",
    };

    /// <summary>The metadata tokens a method body's instructions name (calls, field and type operands).</summary>
    private static List<EntityHandle> Tokens(MethodBodyBlock body)
    {
        var tokens = new List<EntityHandle>();
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0x100 | il.ReadByte();
            }

            switch (OperandTypes[code])
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    tokens.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    var count = il.ReadInt32();
                    il.Offset += 4 * count;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }

        return tokens;
    }

    private static readonly OperandType[] OperandTypes = BuildOperandTypes();

    private static OperandType[] BuildOperandTypes()
    {
        var table = new OperandType[0x200];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            var value = (ushort)opCode.Value;
            table[value > 0xFF ? 0x100 | (value & 0xFF) : value] = opCode.OperandType;
        }

        return table;
    }
}
