package org.medv.eval.judge;

import org.medv.eval.ConversationItem;

/** A conversation-benchmark item with its review prompt written out by hand. */
final class JudgeFixtures {
    static final ConversationItem ITEM = new ConversationItem("7", "18063892_F3.jpg",
            "What does the CT scan show?",
            "The CT scan shows a large mass in the left lower lobe.",
            "Axial CT of the chest showing a 5 cm mass.", "Fig. 3",
            "[{'tokens': 'A chest CT (Fig. 3) revealed a mass.', 'entities': []}]", "conversation", "ct_scan");
    static final String CANDIDATE = "There is a mass in the left lung.";
    static final String RUBRIC = "Rate both assistants from 1 to 10.\n    First line: two scores.";

    static final String EXPECTED_USER_CONTENT = "[Context]\n"
            + "Figure Caption:\nFig. 3: Axial CT of the chest showing a 5 cm mass.\n\n"
            + "Figure Context:\n\t- [{'tokens': 'A chest CT (Fig. 3) revealed a mass.', 'entities': []}]\n\n"
            + "[Question]\nWhat does the CT scan show?\n\n"
            + "[Assistant 1]\nThe CT scan shows a large mass in the left lower lobe.\n\n[End of Assistant 1]\n\n"
            + "[Assistant 2]\nThere is a mass in the left lung.\n\n[End of Assistant 2]\n\n"
            + "[System]\nRate both assistants from 1 to 10.\n    First line: two scores.\n\n";

    private JudgeFixtures() {
    }
}
