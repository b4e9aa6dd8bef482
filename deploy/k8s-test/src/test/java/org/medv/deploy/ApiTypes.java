package org.medv.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.List;
import java.util.Map;

/**
 * The API types a rendered manifest may contain, and a Jackson mapper that binds an object to its type strictly.
 *
 * <p>fabric8's and Strimzi's model classes keep unknown fields in {@code additionalProperties} (a
 * {@code @JsonAnySetter}), so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone would accept a misspelt {@code readinesProbe}.
 * The introspector below hides every any-setter and every {@code ignoreUnknown}: an unknown field or a wrong type then
 * fails with its JSON path. Strimzi's enums turn an unknown value into null (their {@code forValue}) where the CRD's
 * schema would refuse it, so the bound object is also written back and compared with the input: every value given
 * must survive.
 */
final class ApiTypes {

    /** Kind to its model class; the apiVersion must be the one that class declares (apps/v1, autoscaling/v2, ...). */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("Namespace", Namespace.class),
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class),
            Map.entry("Service", Service.class),
            Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("Deployment", Deployment.class),
            Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("Kafka", Kafka.class),
            Map.entry("KafkaNodePool", KafkaNodePool.class),
            Map.entry("KafkaTopic", KafkaTopic.class));

    static final ObjectMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new NoCatchAll())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private ApiTypes() {
    }

    /** The object bound to its API type; throws naming the object and the offending field. */
    static HasMetadata bind(JsonNode node) {
        String kind = node.path("kind").asText();
        String name = node.path("metadata").path("name").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        if (type == null) {
            throw new IllegalArgumentException(kind + " " + name + ": no API type registered for this kind "
                    + KINDS.keySet());
        }
        String expected = HasMetadata.getApiVersion(type);
        String actual = node.path("apiVersion").asText();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(kind + " " + name + ": apiVersion " + actual + ", expected " + expected);
        }
        try {
            HasMetadata bound = STRICT.treeToValue(node, type);
            List<String> lost = new java.util.ArrayList<>();
            lost(node, STRICT.valueToTree(bound), "", lost);
            if (!lost.isEmpty()) {
                throw new IllegalArgumentException(kind + " " + name + ": values the API type does not take: " + lost);
            }
            return bound;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(kind + " " + name + ": " + e.getOriginalMessage() + " (" + path(e) + ")",
                    e);
        }
    }

    static List<HasMetadata> bindAll(List<JsonNode> nodes) {
        return nodes.stream().map(ApiTypes::bind).toList();
    }

    /**
     * Collects the paths of {@code in}'s values that {@code out} does not hold. Empty lists and objects, and the
     * primitive defaults false and 0 (written only when they differ from the default) are not lost.
     */
    private static void lost(JsonNode in, JsonNode out, String path, List<String> lost) {
        if (in.isObject()) {
            in.fields().forEachRemaining(f -> {
                JsonNode v = f.getValue();
                if ((v.isContainerNode() && v.isEmpty()) || v.isNull()) {
                    return;
                }
                boolean primitiveDefault = (v.isBoolean() && !v.asBoolean()) || (v.isNumber() && v.asDouble() == 0);
                if (!out.has(f.getKey()) && primitiveDefault) {
                    return;
                }
                JsonNode o = out.get(f.getKey());
                if (o == null || o.isNull()) {
                    lost.add(path + "/" + f.getKey() + "=" + v);
                } else {
                    lost(v, o, path + "/" + f.getKey(), lost);
                }
            });
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                JsonNode o = out.get(i);
                if (o == null || o.isNull()) {
                    lost.add(path + "/" + i + "=" + in.get(i));
                } else {
                    lost(in.get(i), o, path + "/" + i, lost);
                }
            }
        } else if (!in.asText().equals(out.asText())) {
            lost.add(path + "=" + in + " (read as " + out + ")");
        }
    }

    private static String path(com.fasterxml.jackson.core.JsonProcessingException e) {
        return e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "";
    }

    /** Jackson's introspector without catch-alls: no any-setter, no ignoreUnknown. */
    private static final class NoCatchAll extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            return super.findPropertyIgnoralByName(config, a).withoutIgnoreUnknown();
        }
    }
}
