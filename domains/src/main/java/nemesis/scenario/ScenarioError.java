package nemesis.scenario;

import java.nio.file.Path;

/**
 * One thing wrong with a scenario file, printed as {@code FILE:LINE: FIELD: MESSAGE}.
 *
 * @param line  1-based; 0 when no line applies (then it is left out of the text)
 * @param field the field's path, e.g. {@code domains[1] (hog).cpu.slice}; null when the problem is
 *              the file itself (unreadable, not YAML)
 */
public record ScenarioError(Path file, int line, String field, String message) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
