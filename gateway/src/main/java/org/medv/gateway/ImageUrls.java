package org.medv.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bytes of an {@code image_url} part: a {@code data:...;base64,} URL, or (only with
 * {@code medv.gateway.openai.remote-images=true}) an http(s) URL fetched with a size limit
 * ({@code medv.vision.max-image-bytes}) and a timeout ({@code medv.gateway.openai.remote-image-timeout}). URLs are
 * never logged: they may name a patient.
 */
@ApplicationScoped
class ImageUrls {
    private final boolean remote;
    private final Duration timeout;
    private final long maxBytes;
    private volatile HttpClient client;

    @Inject
    ImageUrls(GatewayConfig config) {
        this(config.gateway().openai().remoteImages(), config.gateway().openai().remoteImageTimeout(),
                config.vision().maxImageBytes());
    }

    ImageUrls(boolean remote, Duration timeout, long maxBytes) {
        this.remote = remote;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** @param param the url's parameter path, named by refusals */
    byte[] read(String url, String param) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            return dataUrl(url, param);
        }
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw OpenAiException.invalid(param, "Invalid '" + param + "': give the image as a data: URL "
                    + "(data:image/png;base64,...)" + (remote ? " or an http(s) URL" : "") + ".");
        }
        if (!remote) {
            throw OpenAiException.unsupportedValue(param, "is a remote URL: this server takes images as data: URLs "
                    + "only (data:image/png;base64,...); remote URLs are off (medv.gateway.openai.remote-images=false).");
        }
        return fetch(url, param);
    }

    private byte[] dataUrl(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw OpenAiException.invalid(param, "Invalid '" + param + "': a data: URL must be base64, as in "
                    + "data:image/png;base64,...");
        }
        long decoded = (url.length() - comma - 1) * 3L / 4;
        if (decoded > maxBytes + 3) {
            throw tooLarge(param);
        }
        try {
            return Base64.getMimeDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid(param, "Invalid '" + param + "': the data: URL is not valid base64.");
        }
    }

    private byte[] fetch(String url, String param) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid(param, "Invalid '" + param + "': not a valid URL.");
        }
        CompletableFuture<HttpResponse<byte[]>> call = client().sendAsync(request, info -> new Limited(maxBytes));
        try {
            // the whole exchange, body included, within the timeout (the request's own timeout covers the headers)
            HttpResponse<byte[]> r = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r.statusCode() != 200) {
                throw OpenAiException.invalid(param, "Invalid '" + param + "': fetching the image answered HTTP "
                        + r.statusCode() + ".");
            }
            return r.body();
        } catch (TimeoutException e) {
            call.cancel(true);
            throw timedOut(param);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TooLarge) {
                throw tooLarge(param);
            }
            if (e.getCause() instanceof HttpTimeoutException) {
                throw timedOut(param);
            }
            throw OpenAiException.invalid(param, "Invalid '" + param + "': the image could not be fetched ("
                    + e.getCause().getClass().getSimpleName() + ").");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw OpenAiException.invalid(param, "Invalid '" + param + "': fetching the image was interrupted.");
        }
    }

    private OpenAiException timedOut(String param) {
        return OpenAiException.invalid(param, "Invalid '" + param + "': the image was not fetched within "
                + timeout.toMillis() + " ms (medv.gateway.openai.remote-image-timeout).");
    }

    private OpenAiException tooLarge(String param) {
        return OpenAiException.invalid(param, "Invalid '" + param + "': the image is more than "
                + "medv.vision.max-image-bytes=" + maxBytes + " bytes.");
    }

    /** A body collected up to {@code max} bytes; more cancels the download. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final long max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Limited(long max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                if (bytes.size() + (long) b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("too large", null);
        }
    }

    private HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return client;
    }
}
