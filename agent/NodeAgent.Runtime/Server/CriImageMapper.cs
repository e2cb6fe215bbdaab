using System.Globalization;
using System.Text.Json;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Store;

namespace NodeAgent.Runtime.Server;

/// <summary>Translates image records to CRI messages (no logic beyond the mapping).</summary>
internal static class CriImageMapper
{
    public static Image ToCri(ImageRecord record, OciImageConfig? config)
    {
        var image = new Image
        {
            Id = record.Id,
            Size = (ulong)record.Size,
            Pinned = record.Pinned,
            Spec = new ImageSpec { Image = record.Id },
        };
        image.RepoTags.AddRange(record.RepoTags);
        image.RepoDigests.AddRange(record.RepoDigests);

        // CRI splits the image's USER into a numeric uid or a user name (kubelet's runAsNonRoot check reads these).
        var user = config?.Config?.User;
        if (!string.IsNullOrEmpty(user))
        {
            var name = user.Split(':')[0];
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                image.Uid = new Int64Value { Value = uid };
            }
            else
            {
                image.Username = name;
            }
        }

        return image;
    }

    /// <summary>The verbose info containerd returns: chain ID and the image config under "imageSpec".</summary>
    public static string VerboseInfo(ImageRecord record, OciImageConfig? config)
    {
        var info = new Dictionary<string, object?>
        {
            ["id"] = record.Id,
            ["manifestDigest"] = record.ManifestDigest,
            ["chainID"] = record.TopChainId,
            ["imageSpec"] = config is null ? null : JsonSerializer.SerializeToElement(config, OciJsonContext.Default.OciImageConfig),
        };
        return JsonSerializer.Serialize(info, CriServerJsonContext.Default.DictionaryStringObject);
    }
}
