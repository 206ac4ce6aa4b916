package nemesis.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code kill(2)} for the signals {@link ProcessHandle} cannot send: SIGINT makes iperf and ping
 * print their final report before they exit, as Ctrl-C does.
 */
@SuppressWarnings("restricted")
final class Signals {
    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Signals() {
    }

    /** Sends {@code signal} to process {@code pid} (never to a group, never to ourselves): true if it was sent. */
    static boolean send(long pid, int signal) {
        if (pid <= 1 || pid > Integer.MAX_VALUE || pid == ProcessHandle.current().pid()) {
            return false;
        }
        try {
            return (int) KILL.invokeExact((int) pid, signal) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
