package nemesis.scenario;

import java.util.List;
import java.util.stream.Collectors;

/** A scenario file that cannot be run, with every problem found in it (at least one). */
public final class ScenarioException extends Exception {
    private final transient List<ScenarioError> errors;

    public ScenarioException(List<ScenarioError> errors) {
        super(errors.stream().map(ScenarioError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a scenario exception needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** In line order (problems with no line first). */
    public List<ScenarioError> errors() {
        return errors;
    }
}
