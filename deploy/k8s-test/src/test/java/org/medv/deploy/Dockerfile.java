package org.medv.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Dockerfile read the way the builder reads it (https://docs.docker.com/reference/dockerfile/): comment lines
 * dropped, backslash continuations joined, one instruction per logical line. Enough for the lint, not a full parser
 * (no parser directives, no heredocs, the default escape character).
 */
record Dockerfile(Path path, List<Instruction> instructions, String comments) {

    record Instruction(String keyword, String args, int line) {
    }

    static Dockerfile read(Path path) {
        try {
            return parse(path, Files.readAllLines(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(Path path, List<String> lines) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder comments = new StringBuilder();
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                comments.append(trimmed).append('\n');
                continue;
            }
            if (current == null) {
                if (trimmed.isEmpty()) {
                    continue;
                }
                current = new StringBuilder();
                start = i + 1;
            }
            boolean continued = trimmed.endsWith("\\");
            current.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continued) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                out.add(new Instruction(text.substring(0, space < 0 ? text.length() : space).toUpperCase(),
                        space < 0 ? "" : text.substring(space + 1).strip(), start));
                current = null;
            }
        }
        return new Dockerfile(path, out, comments.toString());
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The instructions of the last stage (from its FROM on). */
    List<Instruction> finalStage() {
        int from = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return instructions.subList(from, instructions.size());
    }

    /** ENV and ARG defaults of the last stage, in both forms (KEY=value ..., KEY value), quotes removed. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction i : finalStage()) {
            if (i.keyword().equals("ENV")) {
                putAll(env, i.args());
            }
        }
        return env;
    }

    Map<String, String> args() {
        Map<String, String> args = new LinkedHashMap<>();
        for (Instruction i : all("ARG")) {
            putAll(args, i.args());
        }
        return args;
    }

    private static void putAll(Map<String, String> into, String args) {
        List<String> words = words(args);
        if (!words.isEmpty() && !words.get(0).contains("=")) {
            into.put(words.get(0), words.size() > 1 ? String.join(" ", words.subList(1, words.size())) : "");
            return;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            into.put(eq < 0 ? w : w.substring(0, eq), eq < 0 ? "" : w.substring(eq + 1));
        }
    }

    /** Shell-like words: whitespace separates, double or single quotes group (and are removed). */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    words.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            words.add(w.toString());
        }
        return words;
    }
}
