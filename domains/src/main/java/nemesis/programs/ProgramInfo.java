package nemesis.programs;

import java.util.List;
import java.util.function.Function;
import nemesis.kernel.Program;

/**
 * A program users can name in a scenario: its arguments and how to make one.
 *
 * @param factory makes the program from its checked arguments
 */
public record ProgramInfo(String name, String summary, List<ArgSpec> args, Function<Args, Program> factory) {

    public ArgSpec arg(String argName) {
        for (ArgSpec a : args) {
            if (a.name().equals(argName)) {
                return a;
            }
        }
        return null;
    }
}
