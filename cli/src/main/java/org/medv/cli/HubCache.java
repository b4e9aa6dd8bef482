package org.medv.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Hugging Face hub cache folders (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub), read from the environment. */
final class HubCache {
    private HubCache() {
    }

    static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        String hub = System.getenv("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            roots.add(Path.of(hub));
        }
        String home = System.getenv("HF_HOME");
        if (home != null && !home.isBlank()) {
            roots.add(Path.of(home, "hub"));
        }
        roots.add(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
        return roots;
    }
}
