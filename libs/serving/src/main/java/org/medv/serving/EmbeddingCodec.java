package org.medv.serving;

import com.google.protobuf.ByteString;
import org.medv.model.InvalidRequestException;
import org.medv.model.ImageEmbedding;
import org.medv.model.safetensors.Float16;
import org.medv.proto.v1.DType;
import org.medv.proto.v1.Embeddings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Image embedding rows to and from the wire ({@code Embeddings}: little-endian float32 or float16). */
public final class EmbeddingCodec {
    private EmbeddingCodec() {
    }

    public static Embeddings encode(ImageEmbedding e, DType dtype, String digest) {
        int width = dtype == DType.DTYPE_FLOAT16 ? 2 : 4;
        ByteBuffer buf = ByteBuffer.allocate(e.data().length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : e.data()) {
            if (width == 2) {
                buf.putShort(Float16.floatToHalf(f));
            } else {
                buf.putFloat(f);
            }
        }
        return Embeddings.newBuilder().setRows(e.rows()).setCols(e.cols())
                .setDtype(width == 2 ? DType.DTYPE_FLOAT16 : DType.DTYPE_FLOAT32)
                .setData(ByteString.copyFrom(buf.flip())).setImageDigest(digest == null ? "" : digest).build();
    }

    public static ImageEmbedding decode(Embeddings e) {
        int width = switch (e.getDtype()) {
            case DTYPE_FLOAT16 -> 2;
            case DTYPE_FLOAT32, DTYPE_UNSPECIFIED -> 4;
            default -> throw new InvalidRequestException("images", "unknown embeddings dtype " + e.getDtypeValue());
        };
        long n = (long) e.getRows() * e.getCols();
        if (e.getRows() <= 0 || e.getCols() <= 0 || n * width != e.getData().size()) {
            throw new InvalidRequestException("images", "embeddings of " + e.getRows() + " x " + e.getCols()
                    + " need " + n * width + " bytes, got " + e.getData().size());
        }
        ByteBuffer buf = e.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = width == 2 ? Float16.halfToFloat(buf.getShort()) : buf.getFloat();
        }
        return new ImageEmbedding(e.getRows(), e.getCols(), data);
    }
}
