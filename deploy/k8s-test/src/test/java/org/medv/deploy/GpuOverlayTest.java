package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.medv.deploy.Rendered.Workload;

/** What makes the gpu overlay the GPU deployment, and the demo overlay the CPU demo. */
class GpuOverlayTest {

    static final Set<String> ON_GPU = Set.of("vision-service", "denoiser-service");
    static final String GPU = "nvidia.com/gpu";

    @Test
    void visionAndDenoiserAloneTakeOneGpuEachOnGpuNodesInF16() {
        Rendered r = Rendered.of("overlays/gpu");
        assertEquals(ON_GPU, r.workloads().stream().map(Workload::name).filter(ON_GPU::contains)
                .collect(Collectors.toSet()));
        // the patch of gpu-services.yaml names the denoiser's kind: a mismatch would leave it on CPUs
        assertEquals("StatefulSet", r.workload("denoiser-service").kind());
        for (Workload w : r.workloads()) {
            String name = w.name();
            Container c = w.container();
            Quantity gpu = c.getResources().getLimits().get(GPU);
            Map<String, String> env = r.environment(w);
            if (ON_GPU.contains(name)) {
                assertEquals(new Quantity("1"), gpu, name);
                assertEquals(new Quantity("1"), c.getResources().getRequests().get(GPU), name);
                assertEquals("true", w.pod().getNodeSelector().get("nvidia.com/gpu.present"), name);
                assertTrue(w.pod().getTolerations().stream().anyMatch(t -> t.getKey().equals(GPU)
                        && t.getOperator().equals("Exists") && t.getEffect().equals("NoSchedule")), name);
                assertEquals("gpu", env.get("MEDV_MODEL_DEVICE"), name);
                assertEquals("f16", env.get("MEDV_MODEL_DTYPE"), name);
                assertTrue(c.getImage().endsWith("-cu128"), name + ": the CUDA image, got " + c.getImage());
            } else {
                w.allContainers().forEach(k -> assertNull(k.getResources().getLimits().get(GPU), name));
                assertTrue(w.pod().getNodeSelector().isEmpty(), name);
                assertFalse(c.getImage().endsWith("-cu128"), name);
            }
        }
    }

    @Test
    void theWeightsComeFromAClaimNotFromTheDemoModel() {
        Rendered r = Rendered.of("overlays/gpu");
        PersistentVolumeClaim pvc = r.get(PersistentVolumeClaim.class, "medv-models");
        Quantity storage = pvc.getSpec().getResources().getRequests().get("storage");
        assertTrue(storage.getNumericalAmount().longValue() >= 20L << 30, "room for the ~18 GB of weights: " + storage);
        for (String name : Set.of("gateway", "vision-service", "denoiser-service")) {
            Workload w = r.workload(name);
            Volume models = w.volume("models");
            assertEquals("medv-models", models.getPersistentVolumeClaim().getClaimName(), name);
            assertTrue(models.getPersistentVolumeClaim().getReadOnly(), name);
            assertNull(models.getEmptyDir(), name);
            assertTrue(w.allContainers().noneMatch(c -> c.getImage().contains("demo-model")), name);
            assertTrue(r.environment(w).get("MEDV_MODEL_DIR").startsWith("/models/"), name);
        }
        assertEquals("/models/siglip2-so400m-patch14-384",
                r.environment(r.workload("vision-service")).get("MEDV_VISION_TOWER"));
    }

    @Test
    void theGatewayReferencesItsApiKeysAndTlsSecretsAndConfigKeys() {
        Rendered r = Rendered.of("overlays/gpu");
        Workload gw = r.workload("gateway");
        Map<String, String> env = r.environment(gw);
        Map<String, String> mounts = Map.of("api-keys", "/etc/medv/api-keys", "tls", "/etc/medv/tls");
        mounts.forEach((volume, path) -> {
            assertTrue(gw.container().getVolumeMounts().stream()
                    .anyMatch(m -> m.getName().equals(volume) && m.getMountPath().equals(path) && m.getReadOnly()),
                    volume);
            Volume v = gw.volume(volume);
            assertFalse(v.getSecret().getOptional(), volume + " is required here");
            r.get(Secret.class, v.getSecret().getSecretName());
        });
        // each key points at a file of its Secret, under that Secret's mount path
        assertKeyFile(r, gw, env.get("MEDV_GATEWAY_API_KEYS_FILE"), "api-keys");
        assertKeyFile(r, gw, env.get("QUARKUS_HTTP_SSL_CERTIFICATE_FILES"), "tls");
        assertKeyFile(r, gw, env.get("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES"), "tls");
        assertKeyFile(r, gw, env.get("QUARKUS_GRPC_SERVER_SSL_CERTIFICATE"), "tls");
        assertKeyFile(r, gw, env.get("QUARKUS_GRPC_SERVER_SSL_KEY"), "tls");
        assertEquals("kubernetes.io/tls", r.all(Secret.class).stream().filter(s -> s.getMetadata().getName()
                .startsWith("medv-gateway-tls")).findFirst().orElseThrow().getType());
    }

    private static void assertKeyFile(Rendered r, Workload gw, String file, String volume) {
        Volume v = gw.volume(volume);
        String mount = gw.container().getVolumeMounts().stream().filter(m -> m.getName().equals(volume))
                .findFirst().orElseThrow().getMountPath();
        Secret secret = r.get(Secret.class, v.getSecret().getSecretName());
        assertTrue(file != null && file.startsWith(mount + "/"), file + " under " + mount);
        assertTrue(secret.getData().containsKey(file.substring(mount.length() + 1)),
                file + " in " + secret.getData().keySet());
    }

    @Test
    void theDemoRunsOnCpusWithTheDemoModel() {
        Rendered r = Rendered.of("overlays/demo");
        for (Workload w : r.workloads()) {
            String name = w.name();
            w.allContainers().forEach(k -> assertNull(k.getResources().getLimits().get(GPU), name));
            if (!name.equals("evaluator-service")) {
                assertEquals("/models/demo", r.environment(w).get("MEDV_MODEL_DIR"), name);
                assertTrue(w.pod().getInitContainers().stream().anyMatch(c -> c.getName().equals("demo-model")
                        && c.getImage().startsWith("medv/demo-model:")
                        && String.join(" ", c.getCommand()).contains("/models/demo")), name);
            }
        }
        assertEquals("cpu", r.environment(r.workload("denoiser-service")).get("MEDV_MODEL_DEVICE"));
        assertTrue(r.all(Secret.class).isEmpty(), "the demo needs no Secret");
        assertTrue(r.all(PersistentVolumeClaim.class).isEmpty(), "the demo needs no claim of its own");
    }
}
