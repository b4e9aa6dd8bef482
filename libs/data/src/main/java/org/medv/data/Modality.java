package org.medv.data;

/** The three looks {@link SyntheticScans} draws; {@link #answer()} is the short answer of the modality questions. */
public enum Modality {
    /** Axial chest CT: round body, soft gradient, two dark lung fields, bright spine. */
    CT("ct", "a CT scan", "lung"),
    /** Frontal chest radiograph: bright soft tissue and mediastinum, two tall dark lung fields. */
    XRAY("x-ray", "an X-ray", "lung"),
    /** Axial brain MRI: skull ring, folded grey-matter texture, dark ventricles, two hemispheres. */
    MRI("mri", "an MRI scan", "hemisphere");

    private final String answer;
    private final String phrase;
    private final String organ;

    Modality(String answer, String phrase, String organ) {
        this.answer = answer;
        this.phrase = phrase;
        this.organ = organ;
    }

    /** The open answer: {@code ct}, {@code x-ray} or {@code mri}. */
    public String answer() {
        return answer;
    }

    /** With its article, as in "Is this an X-ray?". */
    public String phrase() {
        return phrase;
    }

    /** What the left and right fields are called in questions: {@code lung} or {@code hemisphere}. */
    public String organ() {
        return organ;
    }
}
