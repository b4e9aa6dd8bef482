package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medv.deploy.Rendered.Workload;

/**
 * Renders the base and both overlays with kubectl kustomize, binds every object to its Kubernetes or Strimzi API type
 * (Rendered, ApiTypes) and checks the workloads (Deployments, and the denoiser's StatefulSet): probes, resources,
 * references, Services, PDBs, the HPA, images, the denoiser's outbox claim and instance id.
 */
class OverlaysTest {

    static final Set<String> SERVICES = Set.of("gateway", "vision-service", "denoiser-service", "evaluator-service");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/demo", "overlays/gpu"})
    void everyObjectIsAValidApiObjectInTheMedvNamespace(String dir) {
        Rendered r = Rendered.of(dir);
        assertEquals(SERVICES, r.workloads().stream().map(Workload::name).collect(Collectors.toSet()));
        assertEquals(SERVICES.size(), r.workloads().size(), dir + ": one workload per service");
        r.objects().stream().filter(o -> !o.getKind().equals("Namespace"))
                .forEach(o -> assertEquals("medv", o.getMetadata().getNamespace(),
                        o.getKind() + " " + o.getMetadata().getName()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyWorkloadHasTheThreeQuarkusProbesAndResources(String dir) {
        Rendered r = Rendered.of(dir);
        for (Workload w : r.workloads()) {
            Container c = w.container();
            String who = dir + " " + w.name();
            assertProbe(c.getStartupProbe(), "/q/health/started", c, who + " startupProbe");
            assertProbe(c.getReadinessProbe(), "/q/health/ready", c, who + " readinessProbe");
            assertProbe(c.getLivenessProbe(), "/q/health/live", c, who + " livenessProbe");
            w.allContainers().forEach(k -> {
                String container = who + "/" + k.getName();
                for (String kind : List.of("cpu", "memory")) {
                    assertNotNull(k.getResources().getRequests().get(kind), container + " requests " + kind);
                    assertNotNull(k.getResources().getLimits().get(kind), container + " limits " + kind);
                }
                assertEquals(Boolean.FALSE, k.getSecurityContext().getAllowPrivilegeEscalation(), container);
            });
            assertEquals(Boolean.TRUE, w.pod().getSecurityContext().getRunAsNonRoot(), who + " runAsNonRoot");
        }
    }

    private static void assertProbe(Probe probe, String path, Container c, String who) {
        assertNotNull(probe, who);
        assertEquals(path, probe.getHttpGet().getPath(), who);
        String port = probe.getHttpGet().getPort().getStrVal();
        assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals(port)), who + ": no container port " + port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyReferenceResolvesToARenderedObject(String dir) {
        Rendered r = Rendered.of(dir);
        for (Workload w : r.workloads()) {
            String who = dir + " " + w.name();
            w.allContainers().flatMap(c -> c.getEnvFrom().stream()).forEach(from ->
                    r.get(ConfigMap.class, from.getConfigMapRef().getName()));
            w.allContainers().flatMap(c -> c.getEnv().stream()).filter(e -> e.getValueFrom() != null
                    && e.getValueFrom().getSecretKeyRef() != null).forEach(e -> assertTrue(
                    e.getValueFrom().getSecretKeyRef().getOptional(), who + " " + e.getName() + ": a required Secret"));
            Set<String> volumes = w.mountableVolumes();
            w.allContainers().flatMap(c -> c.getVolumeMounts().stream()).forEach(m ->
                    assertTrue(volumes.contains(m.getName()), who + ": mount of missing volume " + m.getName()));
            for (Volume v : w.pod().getVolumes()) {
                if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                    r.get(Secret.class, v.getSecret().getSecretName());
                }
                if (v.getPersistentVolumeClaim() != null) {
                    r.get(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void servicesSelectTheirPodsOnNamedPorts(String dir) {
        Rendered r = Rendered.of(dir);
        for (Service s : r.all(Service.class)) {
            List<Workload> selected = r.workloads().stream().filter(w -> w.podLabels().entrySet()
                    .containsAll(s.getSpec().getSelector().entrySet())).toList();
            assertEquals(1, selected.size(), dir + " Service " + s.getMetadata().getName() + " selects " + selected);
            Set<String> ports = selected.get(0).container().getPorts().stream().map(ContainerPort::getName)
                    .collect(Collectors.toSet());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertTrue(ports.contains(p.getTargetPort().getStrVal()),
                        dir + " " + s.getMetadata().getName() + ":" + p);
            }
        }
        // the documented ports (docs/architecture.md)
        assertEquals(Set.of(9000, 8080), ports(r, "gateway"));
        assertEquals(Set.of(9101, 8101), ports(r, "vision-service"));
        assertEquals(Set.of(9102, 8102), ports(r, "denoiser-service"));
        assertEquals(Set.of(8103), ports(r, "evaluator-service"));
    }

    static Set<Integer> ports(Rendered r, String workload) {
        return r.workload(workload).container().getPorts().stream().map(ContainerPort::getContainerPort)
                .filter(p -> p != 8443).collect(Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void theDenoisersHaveAHeadlessServiceTheGatewayResolves(String dir) {
        Rendered r = Rendered.of(dir);
        Service headless = r.get(Service.class, "denoiser-headless");
        assertEquals("None", headless.getSpec().getClusterIP());
        assertEquals(Map.of("app.kubernetes.io/name", "denoiser-service"), headless.getSpec().getSelector());
        Map<String, String> gw = r.environment(r.workload("gateway"));
        assertEquals("dns:///denoiser-headless:9102", gw.get("MEDV_GATEWAY_DENOISERS"));
        assertEquals(9102, headless.getSpec().getPorts().get(0).getPort());
        assertEquals(2, r.get(StatefulSet.class, "denoiser-service").getSpec().getReplicas(), "denoiser replicas");
        assertEquals("vision-service", gw.get("QUARKUS_GRPC_CLIENTS_VISION_HOST"));
        r.get(Service.class, gw.get("QUARKUS_GRPC_CLIENTS_VISION_HOST"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void theDenoiserIsAStatefulSetThatKeepsItsNameAndItsOutboxAcrossRestarts(String dir) {
        Rendered r = Rendered.of(dir);
        assertEquals(List.of("denoiser-service"), r.all(StatefulSet.class).stream().map(s -> s.getMetadata().getName())
                .toList(), dir + ": the denoiser alone keeps state");
        StatefulSet set = r.get(StatefulSet.class, "denoiser-service");
        Workload w = r.workload("denoiser-service");
        // governed by the headless Service that selects its pods (their DNS names denoiser-service-N.denoiser-headless)
        assertEquals("denoiser-headless", set.getSpec().getServiceName(), dir);
        Service headless = r.get(Service.class, set.getSpec().getServiceName());
        assertEquals("None", headless.getSpec().getClusterIP(), dir);
        assertTrue(w.podLabels().entrySet().containsAll(headless.getSpec().getSelector().entrySet()), dir);
        assertEquals("Parallel", set.getSpec().getPodManagementPolicy(), dir);
        assertEquals("RollingUpdate", set.getSpec().getUpdateStrategy().getType(), dir);

        // one claim per pod, mounted writable where medv.denoiser.outbox-dir points
        assertEquals(1, w.claimTemplates().size(), dir + ": " + w.claimTemplates());
        PersistentVolumeClaim claim = w.claimTemplates().get(0);
        String volume = claim.getMetadata().getName();
        assertEquals(List.of("ReadWriteOnce"), claim.getSpec().getAccessModes(), dir);
        assertEquals(new Quantity("1Gi"), claim.getSpec().getResources().getRequests().get("storage"), dir);
        assertTrue(w.pod().getVolumes().stream().noneMatch(v -> v.getName().equals(volume)),
                dir + ": a pod volume " + volume + " would shadow the claim template");
        List<VolumeMount> mounts = w.container().getVolumeMounts().stream().filter(m -> m.getName().equals(volume))
                .toList();
        assertEquals(1, mounts.size(), dir + ": mounts of " + volume + " " + mounts);
        assertEquals("/var/lib/medv/outbox", mounts.get(0).getMountPath(), dir);
        assertNotEquals(Boolean.TRUE, mounts.get(0).getReadOnly(), dir);
        assertEquals(mounts.get(0).getMountPath(), r.environment(w).get("MEDV_DENOISER_OUTBOX_DIR"), dir);
        // UID 185 writes there through the volume's group (fsGroup), the root filesystem being read-only
        PodSecurityContext pod = w.pod().getSecurityContext();
        assertEquals(185L, pod.getRunAsUser(), dir);
        assertEquals(185L, pod.getFsGroup(), dir);
        assertEquals(Boolean.TRUE, w.container().getSecurityContext().getReadOnlyRootFilesystem(), dir);

        // the instance id (Kafka transactional id medv-denoiser-<id>) is the pod's name, set once
        List<EnvVar> id = w.container().getEnv().stream().filter(e -> e.getName().equals("MEDV_DENOISER_INSTANCE_ID"))
                .toList();
        assertEquals(1, id.size(), dir + ": " + id);
        assertEquals(null, id.get(0).getValue(), dir);
        assertEquals("metadata.name", id.get(0).getValueFrom().getFieldRef().getFieldPath(), dir);
        assertFalse(r.environment(w).containsKey("MEDV_DENOISER_INSTANCE_ID"), dir + ": a ConfigMap sets it too");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyWorkloadHasAPdbAndTheGatewayAnAutoscaler(String dir) {
        Rendered r = Rendered.of(dir);
        for (Workload w : r.workloads()) {
            Map<String, String> labels = w.podLabels();
            assertTrue(r.all(PodDisruptionBudget.class).stream().anyMatch(p -> labels.entrySet()
                    .containsAll(p.getSpec().getSelector().getMatchLabels().entrySet())),
                    dir + " PDB for " + w.name());
        }
        HorizontalPodAutoscaler hpa = r.get(HorizontalPodAutoscaler.class, "gateway");
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("gateway", hpa.getSpec().getScaleTargetRef().getName());
        int min = hpa.getSpec().getMinReplicas();
        assertTrue(min >= 1 && hpa.getSpec().getMaxReplicas() > min, dir + ": " + hpa.getSpec());
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
        assertEquals(1, r.all(HorizontalPodAutoscaler.class).size(), dir + ": the gateway alone scales automatically");
        assertEquals(null, r.deployment("gateway").getSpec().getReplicas(),
                dir + ": the HPA owns the gateway's replicas");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyImageIsPinnedByATagOtherThanLatest(String dir) {
        Rendered r = Rendered.of(dir);
        List<String> images = r.workloads().stream().flatMap(Workload::allContainers).map(Container::getImage)
                .toList();
        assertFalse(images.isEmpty());
        for (String image : images) {
            String last = image.substring(image.lastIndexOf('/') + 1);
            assertTrue(last.contains(":") || image.contains("@sha256:"), dir + ": untagged image " + image);
            assertFalse(image.endsWith(":latest"), dir + ": " + image);
        }
    }
}
