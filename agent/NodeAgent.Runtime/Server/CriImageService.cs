using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Server;

/// <summary>
/// CRI <c>runtime.v1.ImageService</c>: translation between CRI messages and <see cref="ImageManager"/>
/// only; one file per RPC. Errors are mapped to gRPC status codes by <see cref="CriErrorInterceptor"/>.
/// </summary>
internal sealed partial class CriImageService(ImageManager images) : ImageService.ImageServiceBase;
