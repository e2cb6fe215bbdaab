using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>
/// Generated JSON metadata for the kinds this server serves (and the bodies of their subresources), put first in the
/// client's serializer settings by <see cref="Hosting.ModelSerialization.UseServedModelsContext"/>. Why: the client's
/// own generated context covers all ~900 models, and in the Native AOT publish that alone is most of the image; the
/// publish drops it (KubernetesJsonSubstitutions.xml) and keeps only these ~30 kinds' closure. Property names come from
/// the models' attributes and converters from the client's settings, so the wire format is the client's.
/// Metadata mode only: no generated fast-path writers, half the code, and the settings' converters always apply.
/// </summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [
        typeof(KubernetesJson.Iso8601TimeSpanConverter),
        typeof(KubernetesJson.KubernetesDateTimeConverter),
        typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
// core/v1
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NamespaceList))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1Binding))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1Endpoints))]
[JsonSerializable(typeof(V1EndpointsList))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1ConfigMapList))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1SecretList))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1ServiceAccountList))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(Corev1EventList))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1NodeList))]
// apps/v1, batch/v1, autoscaling/v1 scale
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1DeploymentList))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1ReplicaSetList))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1JobList))]
[JsonSerializable(typeof(V1CronJob))]
[JsonSerializable(typeof(V1CronJobList))]
[JsonSerializable(typeof(V1Scale))]
// discovery.k8s.io/v1, coordination.k8s.io/v1, events.k8s.io/v1
[JsonSerializable(typeof(V1EndpointSlice))]
[JsonSerializable(typeof(V1EndpointSliceList))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(V1LeaseList))]
[JsonSerializable(typeof(Eventsv1Event))]
[JsonSerializable(typeof(Eventsv1EventList))]
// authentication and authorization reviews
[JsonSerializable(typeof(V1TokenReview))]
[JsonSerializable(typeof(V1SelfSubjectReview))]
[JsonSerializable(typeof(V1SubjectAccessReview))]
[JsonSerializable(typeof(V1SelfSubjectAccessReview))]
[JsonSerializable(typeof(V1LocalSubjectAccessReview))]
[JsonSerializable(typeof(V1SelfSubjectRulesReview))]
// request bodies and parts serialized on their own
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1StatusDetails))]
[JsonSerializable(typeof(V1Patch))]
internal sealed partial class ServedModelsJsonContext : JsonSerializerContext;
