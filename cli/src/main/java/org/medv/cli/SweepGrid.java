package org.medv.cli;

import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.CacheMode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of {@code eval sweep --grid}: every combination of the axes {@code gen}, {@code block}, {@code steps}
 * (a number, or {@code gen}: as many steps as tokens; default {@code gen}) and the decoding mode's {@code cache}
 * ({@code none|prefix|dual}), {@code threshold} (0, or a confidence in (0, 1]) and {@code refresh} (refresh_every,
 * >= 0). An axis left out of the grid is not sent, so the served model's default applies.
 */
final class SweepGrid {
    static final List<String> KEYS = List.of("gen", "block", "steps", "cache", "threshold", "refresh");

    private SweepGrid() {
    }

    /**
     * One setting. The decoding values are null when the grid does not sweep them.
     *
     * @param threshold as given, trailing zeros dropped ({@code 0.90} is {@code 0.9}), the form of run ids and labels
     */
    record Point(int gen, int block, int steps, String cache, String threshold, Integer refresh) {

        /** False for a combination the sampler refuses: block not dividing gen, steps not a multiple of the blocks. */
        boolean valid() {
            return block <= gen && gen % block == 0 && steps % (gen / block) == 0;
        }

        /** {@code BASE-gGbBsS}, then {@code -cCACHE}, {@code -tT}, {@code -rN} for the decoding axes swept. */
        String runId(String base) {
            return base + "-g" + gen + "b" + block + "s" + steps + (cache != null ? "-c" + cache : "")
                    + (threshold != null ? "-t" + threshold : "") + (refresh != null ? "-r" + refresh : "");
        }

        /** The {@code eval run} flags of this setting. */
        List<String> flags() {
            List<String> f = new ArrayList<>(List.of("--gen-length", Integer.toString(gen), "--block-length",
                    Integer.toString(block), "--steps", Integer.toString(steps)));
            if (cache != null) {
                f.addAll(List.of("--cache", cache));
            }
            if (threshold != null) {
                f.addAll(List.of("--threshold", threshold));
            }
            if (refresh != null) {
                f.addAll(List.of("--refresh-every", Integer.toString(refresh)));
            }
            return f;
        }

        @Override
        public String toString() {
            return "gen=" + gen + " block=" + block + " steps=" + steps + (cache != null ? " cache=" + cache : "")
                    + (threshold != null ? " threshold=" + threshold : "")
                    + (refresh != null ? " refresh=" + refresh : "");
        }
    }

    /** {@code KEY=V1,V2,...} words to every combination, the first key outermost; invalid combinations included. */
    static List<Point> parse(List<String> grid) {
        Map<String, List<String>> axes = axes(grid);
        List<Point> points = new ArrayList<>();
        for (String g : axes.get("gen")) {
            int gen = Integer.parseInt(g);
            for (String b : axes.get("block")) {
                for (String st : axes.get("steps")) {
                    int steps = st.equals("gen") ? gen : Integer.parseInt(st);
                    for (String c : axes.get("cache")) {
                        for (String t : axes.get("threshold")) {
                            for (String r : axes.get("refresh")) {
                                points.add(new Point(gen, Integer.parseInt(b), steps, c, t,
                                        r == null ? null : Integer.valueOf(r)));
                            }
                        }
                    }
                }
            }
        }
        return points;
    }

    /** Each key's values, checked and in canonical form; a decoding axis left out holds one null (not sent). */
    private static Map<String, List<String>> axes(List<String> grid) {
        Map<String, List<String>> axes = new LinkedHashMap<>();
        for (String word : grid) {
            String[] kv = word.split("=", 2);
            if (kv.length != 2 || !KEYS.contains(kv[0])) {
                throw new InvalidRequestException("grid", "--grid takes " + String.join("=..., ", KEYS)
                        + "=..., got " + word);
            }
            List<String> values = new ArrayList<>();
            for (String v : kv[1].split(",")) {
                values.add(value(kv[0], v.strip()));
            }
            axes.put(kv[0], values);
        }
        if (!axes.containsKey("gen") || !axes.containsKey("block")) {
            throw new InvalidRequestException("grid", "--grid needs gen=... and block=...");
        }
        axes.putIfAbsent("steps", List.of("gen"));
        for (String key : List.of("cache", "threshold", "refresh")) {
            axes.putIfAbsent(key, Arrays.asList((String) null));
        }
        return axes;
    }

    private static String value(String key, String v) {
        return switch (key) {
            case "gen", "block" -> {
                if (!v.matches("0*[1-9]\\d{0,8}")) {
                    throw new InvalidRequestException("grid", "--grid " + key
                            + " values must be positive integers, got " + v);
                }
                yield v;
            }
            case "refresh" -> {
                if (!v.matches("\\d{1,9}")) {
                    throw new InvalidRequestException("grid", "--grid refresh values must be integers >= 0, got " + v);
                }
                yield v;
            }
            case "steps" -> {
                if (!v.equals("gen") && !v.matches("0*[1-9]\\d{0,8}")) {
                    throw new InvalidRequestException("grid", "--grid steps values must be positive integers or gen, "
                            + "got " + v);
                }
                yield v;
            }
            case "cache" -> cache(v);
            default -> threshold(v);
        };
    }

    private static String cache(String v) {
        try {
            return CacheMode.parse(v).wireName();
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("grid", "--grid cache values must be none, prefix or dual, got " + v);
        }
    }

    private static String threshold(String v) {
        double t;
        try {
            t = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("grid", "--grid threshold values must be numbers, got " + v);
        }
        if (!(t >= 0 && t <= 1)) {
            throw new InvalidRequestException("grid", "--grid threshold values must be 0 (off) or in (0, 1], got "
                    + v);
        }
        return new BigDecimal(Double.toString(t)).stripTrailingZeros().toPlainString();
    }
}
