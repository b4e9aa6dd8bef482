package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders the base and both overlays with kubectl kustomize, binds every object to its Kubernetes or Strimzi API type
 * (Rendered, ApiTypes) and checks the workloads: probes, resources, references, Services, PDBs, the HPA, images.
 */
class OverlaysTest {

    static final Set<String> SERVICES = Set.of("gateway", "vision-service", "denoiser-service", "evaluator-service");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/demo", "overlays/gpu"})
    void everyObjectIsAValidApiObjectInTheMedvNamespace(String dir) {
        Rendered r = Rendered.of(dir);
        assertEquals(SERVICES, r.all(Deployment.class).stream().map(d -> d.getMetadata().getName())
                .collect(Collectors.toSet()));
        r.objects().stream().filter(o -> !o.getKind().equals("Namespace"))
                .forEach(o -> assertEquals("medv", o.getMetadata().getNamespace(),
                        o.getKind() + " " + o.getMetadata().getName()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyDeploymentHasTheThreeQuarkusProbesAndResources(String dir) {
        Rendered r = Rendered.of(dir);
        for (Deployment d : r.all(Deployment.class)) {
            Container c = Rendered.container(d);
            String who = dir + " " + d.getMetadata().getName();
            assertProbe(c.getStartupProbe(), "/q/health/started", c, who + " startupProbe");
            assertProbe(c.getReadinessProbe(), "/q/health/ready", c, who + " readinessProbe");
            assertProbe(c.getLivenessProbe(), "/q/health/live", c, who + " livenessProbe");
            Rendered.allContainers(d).forEach(k -> {
                String container = who + "/" + k.getName();
                for (String kind : List.of("cpu", "memory")) {
                    assertNotNull(k.getResources().getRequests().get(kind), container + " requests " + kind);
                    assertNotNull(k.getResources().getLimits().get(kind), container + " limits " + kind);
                }
                assertEquals(Boolean.FALSE, k.getSecurityContext().getAllowPrivilegeEscalation(), container);
            });
            assertEquals(Boolean.TRUE, Rendered.pod(d).getSecurityContext().getRunAsNonRoot(), who + " runAsNonRoot");
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
        for (Deployment d : r.all(Deployment.class)) {
            String who = dir + " " + d.getMetadata().getName();
            Rendered.allContainers(d).flatMap(c -> c.getEnvFrom().stream()).forEach(from ->
                    r.get(ConfigMap.class, from.getConfigMapRef().getName()));
            Rendered.allContainers(d).flatMap(c -> c.getEnv().stream()).filter(e -> e.getValueFrom() != null
                    && e.getValueFrom().getSecretKeyRef() != null).forEach(e -> assertTrue(
                    e.getValueFrom().getSecretKeyRef().getOptional(), who + " " + e.getName() + ": a required Secret"));
            Set<String> volumes = Rendered.pod(d).getVolumes().stream().map(Volume::getName)
                    .collect(Collectors.toSet());
            Rendered.allContainers(d).flatMap(c -> c.getVolumeMounts().stream()).forEach(m ->
                    assertTrue(volumes.contains(m.getName()), who + ": mount of missing volume " + m.getName()));
            for (Volume v : Rendered.pod(d).getVolumes()) {
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
            List<Deployment> selected = r.all(Deployment.class).stream().filter(d -> d.getSpec().getTemplate()
                    .getMetadata().getLabels().entrySet().containsAll(s.getSpec().getSelector().entrySet())).toList();
            assertEquals(1, selected.size(), dir + " Service " + s.getMetadata().getName() + " selects " + selected);
            Set<String> ports = Rendered.container(selected.get(0)).getPorts().stream().map(ContainerPort::getName)
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

    static Set<Integer> ports(Rendered r, String deployment) {
        return Rendered.container(r.deployment(deployment)).getPorts().stream().map(ContainerPort::getContainerPort)
                .filter(p -> p != 8443).collect(Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void theDenoisersHaveAHeadlessServiceTheGatewayResolves(String dir) {
        Rendered r = Rendered.of(dir);
        Service headless = r.get(Service.class, "denoiser-headless");
        assertEquals("None", headless.getSpec().getClusterIP());
        assertEquals(Map.of("app.kubernetes.io/name", "denoiser-service"), headless.getSpec().getSelector());
        Map<String, String> gw = r.environment(r.deployment("gateway"));
        assertEquals("dns:///denoiser-headless:9102", gw.get("MEDV_GATEWAY_DENOISERS"));
        assertEquals(9102, headless.getSpec().getPorts().get(0).getPort());
        assertEquals(2, r.deployment("denoiser-service").getSpec().getReplicas(), "denoiser replicas");
        assertEquals("vision-service", gw.get("QUARKUS_GRPC_CLIENTS_VISION_HOST"));
        r.get(Service.class, gw.get("QUARKUS_GRPC_CLIENTS_VISION_HOST"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void everyDeploymentHasAPdbAndTheGatewayAnAutoscaler(String dir) {
        Rendered r = Rendered.of(dir);
        for (Deployment d : r.all(Deployment.class)) {
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(r.all(PodDisruptionBudget.class).stream().anyMatch(p -> labels.entrySet()
                    .containsAll(p.getSpec().getSelector().getMatchLabels().entrySet())),
                    dir + " PDB for " + d.getMetadata().getName());
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
        List<String> images = r.all(Deployment.class).stream().flatMap(Rendered::allContainers).map(Container::getImage)
                .toList();
        assertFalse(images.isEmpty());
        for (String image : images) {
            String last = image.substring(image.lastIndexOf('/') + 1);
            assertTrue(last.contains(":") || image.contains("@sha256:"), dir + ": untagged image " + image);
            assertFalse(image.endsWith(":latest"), dir + ": " + image);
        }
    }
}
