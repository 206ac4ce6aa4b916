package nemesis.programs;

/**
 * One argument a program takes.
 *
 * @param defaultValue the value when absent (already of the type's Java class), or null
 */
public record ArgSpec(String name, ArgType type, boolean required, Object defaultValue, String help) {

    public static ArgSpec required(String name, ArgType type, String help) {
        return new ArgSpec(name, type, true, null, help);
    }

    public static ArgSpec optional(String name, ArgType type, Object defaultValue, String help) {
        return new ArgSpec(name, type, false, defaultValue, help);
    }
}
