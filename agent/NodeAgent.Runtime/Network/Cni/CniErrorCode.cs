namespace NodeAgent.Runtime.Network.Cni;

/// <summary>The well-known CNI error codes (spec 1.0.0); 100 and above are plugin specific.</summary>
public static class CniErrorCode
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironment = 4;
    public const int IoFailure = 5;
    public const int DecodeFailure = 6;
    public const int InvalidNetworkConfig = 7;
    public const int TryAgainLater = 11;
}
