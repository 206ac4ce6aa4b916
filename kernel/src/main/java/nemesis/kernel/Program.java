package nemesis.kernel;

/** The code a domain runs: its first thread starts here. Returning ends that thread. */
@FunctionalInterface
public interface Program {
    void run(DomainContext ctx) throws Exception;
}
