package org.medv.denoiser;

import org.medv.model.MedvModel;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.DType;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.StartRequest;
import org.medv.serving.EmbeddingCodec;

import java.util.UUID;

/** StartRequests built the way the gateway builds them: chat-template prompt ids and vision-encoded rows. */
final class Requests {
    static final String QUESTION = "Is there a lesion in the left lung?";

    private Requests() {
    }

    static String newId() {
        return "req-" + UUID.randomUUID();
    }

    static GenerationOptions options(int gen, int block, int steps, boolean noStop) {
        return GenerationOptions.newBuilder().setGenLength(gen).setBlockLength(block).setSteps(steps)
                .setTemperature(0).setNoStop(noStop).build();
    }

    static int[] imagePrompt(MedvModel model) {
        return model.prompts().promptIds(QUESTION, 1);
    }

    static int[] textPrompt(MedvModel model) {
        return model.prompts().promptIds(QUESTION, 0);
    }

    static Embeddings embeddings(MedvModel model, byte[] png) {
        return EmbeddingCodec.encode(model.vision().encodeImage(png), DType.DTYPE_FLOAT32, "test-digest");
    }

    static StartRequest.Builder withImage(MedvModel model, byte[] png, GenerationOptions o) {
        return base(imagePrompt(model), o).addImages(embeddings(model, png));
    }

    static StartRequest.Builder textOnly(MedvModel model, GenerationOptions o) {
        return base(textPrompt(model), o);
    }

    private static StartRequest.Builder base(int[] promptIds, GenerationOptions o) {
        StartRequest.Builder b = StartRequest.newBuilder().setRequestId(newId()).setGatewayId("gw-test")
                .setOptions(o).setReceivedUnixMs(System.currentTimeMillis())
                .setMetadata(ClientMetadata.newBuilder().setCorrelationId("corr-1")
                        .putLabels("run_id", "run-7").putLabels("question_id", "q-42"));
        for (int id : promptIds) {
            b.addPromptIds(id);
        }
        return b;
    }
}
