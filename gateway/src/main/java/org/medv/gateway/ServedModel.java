package org.medv.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one model the OpenAI-compatible API serves: its id ({@code medv.gateway.openai.model-id}, else the model
 * directory's name, e.g. {@code demo} for models/demo) and its {@code /v1/models} entry.
 */
@ApplicationScoped
class ServedModel {
    private final String id;
    private final Path dir;

    ServedModel(GatewayConfig config) {
        this.dir = config.model().dir();
        Path name = dir.toAbsolutePath().normalize().getFileName();
        this.id = config.gateway().openai().modelId().orElse(name == null ? "medv" : name.toString());
    }

    String id() {
        return id;
    }

    /** A {@code model} object; {@code created} is when the model's config.json was written. */
    JsonObject json() {
        JsonObject m = new JsonObject();
        m.addProperty("id", id);
        m.addProperty("object", "model");
        m.addProperty("created", created());
        m.addProperty("owned_by", "medv");
        return m;
    }

    /** {@code GET /v1/models}: a list of this one model. */
    JsonObject list() {
        JsonArray data = new JsonArray();
        data.add(json());
        JsonObject root = new JsonObject();
        root.addProperty("object", "list");
        root.add("data", data);
        return root;
    }

    private long created() {
        try {
            return Files.getLastModifiedTime(dir.resolve("config.json")).toMillis() / 1000;
        } catch (IOException e) {
            return 0;
        }
    }
}
