package org.medv.eval.io;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected strings are what CPython 3 prints for {@code repr(json.loads(text))}. */
class PythonReprTest {

    private static void repr(String json, String expected) {
        assertEquals(expected, PythonRepr.of(JsonParser.parseString(json)), json);
    }

    @Test
    void inTextMentionOfTheBenchmark() {
        repr("[{\"tokens\": \"Inflammatory cells were not found ( Fig. 3 , 4 ) .\", \"entities\": [{\"type\": "
                        + "\"figure\", \"entity_id\": \"3\", \"start_tok\": 9, \"end_tok\": 11}]}]",
                "[{'tokens': 'Inflammatory cells were not found ( Fig. 3 , 4 ) .', 'entities': [{'type': 'figure', "
                        + "'entity_id': '3', 'start_tok': 9, 'end_tok': 11}]}]");
        repr("null", "None");
        repr("{\"a\": true, \"b\": false, \"c\": null, \"d\": {}, \"e\": []}",
                "{'a': True, 'b': False, 'c': None, 'd': {}, 'e': []}");
    }

    @Test
    void stringsChooseQuotesAndEscapeLikeCPython() {
        repr("[\"it's\", \"say \\\"hi\\\"\", \"both ' and \\\"\", \"tab\\tnl\\n\", \"\\u00d7100\", \"\\u00a0\", "
                        + "\"\\u200b\", \"back\\\\slash\", \"\\u0007\", \"\\ud83d\\ude00\", \"\\ue000\"]",
                "[\"it's\", 'say \"hi\"', 'both \\' and \"', 'tab\\tnl\\n', '\u00d7100', '\\xa0', '\\u200b', "
                        + "'back\\\\slash', '\\x07', '\uD83D\uDE00', '\\ue000']");
    }

    @Test
    void numbersAreIntsOrFloatsAsJsonLoadsMakesThem() {
        String[][] cases = {{"9", "9"}, {"-0", "0"}, {"12345678901234567890", "12345678901234567890"},
                {"1.5", "1.5"}, {"1e16", "1e+16"}, {"1e15", "1000000000000000.0"}, {"0.0001", "0.0001"},
                {"0.00001", "1e-05"}, {"-2.50", "-2.5"}, {"1E3", "1000.0"}, {"0.1", "0.1"},
                {"123.456e2", "12345.6"}, {"-0.0", "-0.0"}};
        for (String[] c : cases) {
            assertEquals(c[1], PythonRepr.number(c[0]), c[0]);
        }
    }
}
