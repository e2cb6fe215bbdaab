using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Tests.Images;

public sealed class ImageReferenceParserTests
{
    private const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("user/app", "docker.io", "user/app", "latest", null)]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("index.docker.io/library/busybox:musl", "docker.io", "library/busybox", "musl", null)]
    [InlineData("docker.io/user/app/sub:v1", "docker.io", "user/app/sub", "v1", null)]
    [InlineData("localhost/x", "localhost", "x", "latest", null)]
    [InlineData("localhost:5000/x", "localhost:5000", "x", "latest", null)]
    [InlineData("127.0.0.1:5000/a/b:tag@" + Sha, "127.0.0.1:5000", "a/b", "tag", Sha)]
    [InlineData("busybox@" + Sha, "docker.io", "library/busybox", null, Sha)]
    [InlineData("registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", null)]
    [InlineData("[::1]:5000/a:b", "[::1]:5000", "a", "b", null)]
    [InlineData("Example.COM/a", "Example.COM", "a", "latest", null)]
    [InlineData("quay.io/a__b/c.d-e---f:V1.0_x-y", "quay.io", "a__b/c.d-e---f", "V1.0_x-y", null)]
    [InlineData("localhost:5000", "docker.io", "library/localhost", "5000", null)] // Docker reads this as image "localhost", tag "5000"
    public void Parses_and_normalises(string input, string registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(input);

        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
    }

    [Fact]
    public void Digest_references_ask_the_registry_for_the_digest()
    {
        Assert.Equal(Sha, ImageReference.Parse("a/b:tag@" + Sha).ManifestReference);
        Assert.Equal("docker.io/library/busybox@" + Sha, ImageReference.Parse("busybox@" + Sha).ToString());
        Assert.Equal("latest", ImageReference.Parse("a/b").ManifestReference);
    }

    [Theory]
    [InlineData("", "reference is empty")]
    [InlineData("Busybox", "repository name must be lowercase")]
    [InlineData("user/App", "repository name must be lowercase")]
    [InlineData("busybox:", "invalid tag \"\"")]
    [InlineData("busybox:-x", "invalid tag \"-x\"")]
    [InlineData("busybox:a/b", "invalid registry host \"busybox:a\"")]
    [InlineData("busybox@sha256:abc", "invalid digest \"sha256:abc\"")]
    [InlineData("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "sha256 needs 64 lower-case hex digits")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm \"md5\"")]
    [InlineData("busybox@", "invalid digest")]
    [InlineData("a//b", "invalid repository name")]
    [InlineData("a/b/", "invalid repository name")]
    [InlineData("-a/b", "invalid repository name")]
    [InlineData("a b", "invalid repository name")]
    [InlineData("a_.b", "invalid repository name")]
    [InlineData("exa_mple.com/a", "invalid registry host \"exa_mple.com\"")]
    [InlineData("localhost:abc/x", "invalid registry host \"localhost:abc\"")]
    [InlineData("-bad.com/x", "invalid registry host")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64-character hexadecimal")]
    [InlineData("a@b@" + Sha, "invalid digest")]
    public void Rejects_with_the_reason(string input, string reason)
    {
        Assert.False(ImageReference.TryParse(input, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(reason, error, StringComparison.Ordinal);

        var e = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input));
        Assert.StartsWith($"invalid image reference \"{input}\": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal(input, e.Reference);
        Assert.True(CategorizedError.TryGetKind(e, out var kind));
        Assert.Equal(RuntimeErrorKind.Invalid, kind);
    }

    [Fact]
    public void Rejects_overlong_tags_and_names()
    {
        Assert.True(ImageReference.TryParse("a:" + new string('t', 128), out _));
        Assert.False(ImageReference.TryParse("a:" + new string('t', 129), out _, out var tagError));
        Assert.Contains("invalid tag", tagError, StringComparison.Ordinal);

        var longName = "example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 60), 5));
        Assert.False(ImageReference.TryParse(longName, out _, out var nameError));
        Assert.Contains("must not be more than 255 characters", nameError, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(ImageReference.TryParse(null, out var parsed));
        Assert.Null(parsed);
    }
}
