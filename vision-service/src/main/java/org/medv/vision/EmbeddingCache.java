package org.medv.vision;

import org.medv.proto.v1.Embeddings;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wire-ready embeddings by image digest, least recently used evicted first. Entries are the immutable proto
 * messages, so a hit answers with the very bytes of the first reply. Memory is entries x rows x cols x wire width:
 * about 12 MB per image for the real model in f32.
 */
final class EmbeddingCache {
    private final int capacity;
    private final LinkedHashMap<String, Embeddings> entries;

    EmbeddingCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Embeddings> eldest) {
                return size() > EmbeddingCache.this.capacity;
            }
        };
    }

    synchronized Embeddings get(String digest) {
        return entries.get(digest);
    }

    synchronized void put(String digest, Embeddings embeddings) {
        if (capacity > 0) {
            entries.put(digest, embeddings);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
