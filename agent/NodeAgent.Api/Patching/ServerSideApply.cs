using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Apply;

namespace NodeAgent.Api.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>) and the managedFields bookkeeping of ordinary writes,
/// following structured-merge-diff: ownership per leaf field, per associative-list item (<c>k:{..}</c>) and per
/// set member (<c>v:..</c>), recorded as FieldsV1 in metadata.managedFields.
/// </summary>
public static class ServerSideApply
{
    /// <summary>
    /// Applies <paramref name="applied"/> for <see cref="ApplyOptions.FieldManager"/>; <paramref name="live"/> null
    /// means create. Fields another manager owns with a different value are conflicts: the object comes back
    /// unchanged with the conflicts listed, unless <see cref="ApplyOptions.Force"/> takes them over. Fields this
    /// manager applied before and no longer applies are removed when nobody else owns them.
    /// </summary>
    public static ApplyResult Apply(JsonNode? live, JsonNode applied, ApplyOptions options, PatchSchema schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrEmpty(options.FieldManager))
        {
            throw PatchException.Invalid("fieldManager is required for apply", "fieldManager");
        }

        if (applied is not JsonObject appliedObject)
        {
            throw PatchException.Invalid("an applied configuration must be an object", "");
        }

        RequireString(appliedObject, "apiVersion");
        RequireString(appliedObject, "kind");
        if (appliedObject["metadata"]?["managedFields"] is not null)
        {
            throw PatchException.Invalid("metadata.managedFields must be nil in an applied configuration", ".metadata.managedFields");
        }

        if (live is not null and not JsonObject)
        {
            throw PatchException.Invalid("the live object must be a JSON object", "");
        }

        var liveObject = (JsonObject?)live?.DeepClone() ?? [];
        var entries = ManagedFieldsEntry.Read(liveObject);
        var liveBare = WithoutManagedFields(liveObject);
        var scoped = Scope((JsonObject)appliedObject.DeepClone(), options.Subresource);

        var appliedSet = IgnoredFields.Strip(FieldSetBuilder.Build(scoped, schema.Root));
        var merged = ApplyMerger.Merge(liveBare, scoped, schema.Root);
        var changed = IgnoredFields.Strip(ObjectComparer.Compare(liveBare, merged, schema.Root).Changed);

        var mine = entries.FirstOrDefault(e => e.IsSameManager(options.FieldManager, ManagedFieldsEntry.ApplyOperation, options.Subresource));
        var others = entries.Where(e => !ReferenceEquals(e, mine)).ToList();

        var conflicts = new List<ApplyConflict>();
        for (var i = 0; i < others.Count; i++)
        {
            var contested = others[i].Fields.Intersect(changed);
            if (contested.Count == 0)
            {
                continue;
            }

            conflicts.AddRange(contested.Paths.Select(p => new ApplyConflict(others[i].Manager, FieldPath.Display(p))));

            // With force the applier takes the fields over; the other manager keeps the rest.
            others[i] = others[i] with { Fields = others[i].Fields.Except(contested) };
        }

        if (conflicts.Count > 0 && !options.Force)
        {
            var sorted = conflicts.OrderBy(c => c.Manager, StringComparer.Ordinal).ThenBy(c => c.FieldPath, StringComparer.Ordinal).ToList();
            return new ApplyResult(live?.DeepClone() ?? liveObject, sorted);
        }

        // Fields this manager stopped applying go away, unless someone else still holds them (or something below them).
        var previous = mine?.Fields ?? new FieldSet();
        var dropped = previous.Except(appliedSet).Paths
            .Where(p => !others.Any(o => o.Fields.ContainsOrHasDescendant(p)))
            .OrderBy(p => p.Length);
        foreach (var path in dropped)
        {
            FieldRemover.Remove(merged, path, schema.Root);
        }

        var apiVersion = appliedObject["apiVersion"]!.GetValue<string>();
        var unchanged = mine is not null && mine.Fields.SetEquals(appliedSet) && mine.ApiVersion == apiVersion;
        var time = unchanged ? mine!.Time : ManagedFieldsEntry.FormatTime(options.Time);
        others.Add(new ManagedFieldsEntry(options.FieldManager, ManagedFieldsEntry.ApplyOperation, apiVersion, time, options.Subresource, appliedSet));
        ManagedFieldsEntry.Write(merged, others);
        return new ApplyResult(merged, []);
    }

    /// <summary>
    /// Records an ordinary write (create, update, patch) by <paramref name="fieldManager"/> as an Update entry owning
    /// the fields it added or changed; other managers lose those fields, and removed fields leave every set.
    /// </summary>
    public static JsonNode RecordUpdate(JsonNode? before, JsonNode after, string fieldManager, DateTimeOffset time, PatchSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrEmpty(fieldManager))
        {
            throw PatchException.Invalid("fieldManager is required", "fieldManager");
        }

        if (after is not JsonObject afterObject)
        {
            throw PatchException.Invalid("the written object must be a JSON object", "");
        }

        var beforeObject = before as JsonObject;
        var entries = ManagedFieldsEntry.Read(beforeObject);
        var result = WithoutManagedFields(afterObject);
        var comparison = ObjectComparer.Compare(beforeObject is null ? [] : WithoutManagedFields(beforeObject), result, schema.Root);

        var changed = IgnoredFields.Strip(comparison.Changed);
        changed = changed.Where(p => !ZeroValueFields.IsAlwaysPresentNode(p, changed));
        var removed = comparison.Removed;

        var mine = entries.FirstOrDefault(e => e.IsSameManager(fieldManager, ManagedFieldsEntry.UpdateOperation, null));
        var others = entries
            .Where(e => !ReferenceEquals(e, mine))
            .Select(e => e with { Fields = e.Fields.Except(changed).Except(removed) })
            .ToList();

        var previous = mine?.Fields ?? new FieldSet();
        var owned = previous.Except(removed).Union(changed);
        var apiVersion = (afterObject["apiVersion"] as JsonValue)?.GetValue<string>();
        var stamp = mine is not null && owned.SetEquals(previous) && mine.ApiVersion == apiVersion ? mine.Time : ManagedFieldsEntry.FormatTime(time);
        others.Add(new ManagedFieldsEntry(fieldManager, ManagedFieldsEntry.UpdateOperation, apiVersion, stamp, null, owned));
        ManagedFieldsEntry.Write(result, others);
        return result;
    }

    private static JsonObject WithoutManagedFields(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    // Apply to the main resource never touches status; apply to "status" touches only status (the reset fields).
    private static JsonObject Scope(JsonObject applied, string? subresource)
    {
        if (subresource is null)
        {
            applied.Remove("status");
            return applied;
        }

        foreach (var key in applied.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToList())
        {
            applied.Remove(key);
        }

        return applied;
    }

    private static void RequireString(JsonObject o, string name)
    {
        if (o[name] is not JsonValue v || !v.TryGetValue<string>(out var s) || s.Length == 0)
        {
            throw PatchException.Invalid($"{name} must be set in an applied configuration", "." + name);
        }
    }
}
