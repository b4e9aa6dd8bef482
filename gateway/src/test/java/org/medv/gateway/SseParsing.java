package org.medv.gateway;

import java.util.ArrayList;
import java.util.List;

/** Splits a text/event-stream body into [event name, data] pairs. */
final class SseParsing {
    private SseParsing() {
    }

    static List<String[]> parse(String body) {
        List<String[]> out = new ArrayList<>();
        for (String frame : body.replace("\r\n", "\n").split("\n\n")) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line : frame.split("\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).replaceFirst("^ ", ""));
                }
            }
            if (data.length() > 0) {
                out.add(new String[]{event, data.toString()});
            }
        }
        return out;
    }
}
