package org.medv.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.medv.model.sampler.GenerationOptions;

/**
 * {@code GET /v1/model}: what a client needs to ask the served model well: its name, the sampler defaults a request
 * leaves unset ({@code generation_config.json}, via the loaded model) and its example scans with suggested questions
 * ({@link ModelExamples}). {@code GET /v1/model/examples/{name}} serves one example image, and nothing else: any
 * name that is not a listed example is 404. Runs on a worker thread (it reads files).
 */
@Path("/v1/model")
public class ModelResource {
    static final String EXAMPLES_PATH = "/v1/model/examples/";

    private final ModelHolder models;
    private final java.nio.file.Path dir;

    ModelResource(ModelHolder models, GatewayConfig config) {
        this.models = models;
        this.dir = config.model().dir();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String model() {
        GenerationOptions d = models.model().generationDefaults();
        JsonObject defaults = new JsonObject();
        defaults.addProperty("gen_length", d.genLength());
        defaults.addProperty("block_length", d.blockLength());
        defaults.addProperty("steps", d.steps());
        defaults.addProperty("temperature", d.temperature());
        defaults.addProperty("seed", d.seed());
        defaults.addProperty("cfg_scale", d.cfgScale());
        defaults.addProperty("remasking", d.remasking().wireName());
        defaults.addProperty("cache", d.cache().wireName());
        defaults.addProperty("threshold", d.threshold());
        defaults.addProperty("refresh_every", d.refreshEvery());
        JsonArray examples = new JsonArray();
        for (ModelExamples.Example e : ModelExamples.list(dir)) {
            JsonObject o = new JsonObject();
            o.addProperty("name", e.name());
            o.addProperty("url", EXAMPLES_PATH + e.name());
            JsonArray questions = new JsonArray();
            e.questions().forEach(questions::add);
            o.add("questions", questions);
            examples.add(o);
        }
        JsonObject root = new JsonObject();
        root.addProperty("model", name(dir));
        root.add("defaults", defaults);
        root.add("examples", examples);
        return root.toString();
    }

    @GET
    @Path("examples/{name}")
    public Response example(@PathParam("name") String name) {
        ModelExamples.Example e = ModelExamples.find(dir, name)
                .orElseThrow(() -> new NotFoundException("no example image '" + name + "'"));
        return Response.ok(e.file(), e.contentType())
                .header("Cache-Control", "max-age=3600")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    /**
     * The model's name: its directory's, or {@code owner/name} for a Hugging Face cache snapshot
     * ({@code .../models--owner--name/snapshots/<revision>}).
     */
    static String name(java.nio.file.Path modelDir) {
        java.nio.file.Path abs = modelDir.toAbsolutePath().normalize();
        java.nio.file.Path parent = abs.getParent();
        if (parent != null && parent.getParent() != null && String.valueOf(parent.getFileName()).equals("snapshots")) {
            String repo = String.valueOf(parent.getParent().getFileName());
            if (repo.startsWith("models--")) {
                return repo.substring("models--".length()).replace("--", "/");
            }
        }
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }
}
