package nemesis.linux;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import nemesis.drivers.tap.Libc;

/**
 * The Linux side of a TAP run: a network namespace of its own, {@code nemesis-<pid>-<n>}, in which
 * the Linux kernel plays the peer of the emulated Nemesis host. The TAP device the emulator reads
 * and writes is moved into it ({@link #adopt}); services run inside it on platform threads that
 * entered it ({@link #startThread}) and as processes ({@link #exec}); {@link #close} removes it
 * and everything in it.
 *
 * <h2>Safety</h2>
 * Nothing here sends traffic in the root namespace. A thread enters the namespace with
 * {@code setns(2)} and then checks that it did (the inode of {@code /proc/thread-self/ns/net}
 * against that of {@code /var/run/netns/NAME}) before it runs anything ({@link #checkCurrentThread}
 * is the same check, for code about to open a socket). Sockets are bound to the namespace's own
 * addresses, which do not exist in the root namespace, so a thread that somehow is not inside
 * fails to bind rather than sending anything.
 *
 * <h2>Leftovers</h2>
 * Each namespace is recorded in {@code /run/nemesis/NAME} (the owner's pid and start time) and a
 * shutdown hook closes it (Ctrl-C). A process killed outright leaves it behind:
 * {@link #cleanupLeftovers} (for {@code nemesis tap cleanup}) removes namespaces whose owner is
 * gone, and stray {@code nmt*} TAP devices in the root namespace that no process holds.
 *
 * <p>A process started from a thread inside a namespace starts inside it too (it inherits the
 * calling thread's namespaces): the commands that must run in the root namespace check that
 * they are not called from such a thread.
 */
public final class LinuxNamespace implements AutoCloseable {
    /** Where {@code ip netns} keeps its namespaces. */
    public static final Path NETNS_DIR = Path.of("/var/run/netns");
    /** Our record of the namespaces we made: one file per namespace, holding its owner. */
    public static final Path REGISTRY_DIR = Path.of("/run/nemesis");
    public static final String PREFIX = "nemesis-";
    /** The prefix of the TAP devices the emulator creates. */
    public static final String TAP_PREFIX = "nmt";
    private static final java.util.regex.Pattern NAME =
            java.util.regex.Pattern.compile("nemesis-(\\d+)-(\\d+)");
    private static final java.util.regex.Pattern IF_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final java.util.regex.Pattern CIDR =
            java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final long JOIN_MS = 3_000;

    private final String name;
    private final Path path;
    private final Path registryEntry;
    private final long dev;
    private final long ino;
    private final Thread hook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Deque<AutoCloseable> closers = new ConcurrentLinkedDeque<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    private LinuxNamespace(String name) throws IOException {
        this.name = name;
        this.path = NETNS_DIR.resolve(name);
        this.registryEntry = REGISTRY_DIR.resolve(name);
        this.dev = ((Number) Files.getAttribute(path, "unix:dev")).longValue();
        this.ino = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        this.hook = Thread.ofPlatform().unstarted(this::closeFromHook);
        hook.setName(name + "-cleanup");
    }

    // ------------------------------------------------------------------------------------------
    // Creating
    // ------------------------------------------------------------------------------------------

    /**
     * Why a TAP peer cannot run here (not Linux, not root, no {@code /dev/net/tun}, no {@code ip}),
     * or null if it can.
     */
    public static String unsupportedReason() {
        if (!Libc.available()) {
            return "peer.kind: tap needs Linux (network namespaces and TAP devices); this is "
                    + System.getProperty("os.name");
        }
        long euid = effectiveUid();
        if (euid != 0) {
            return "peer.kind: tap needs root (it creates a network namespace and a TAP device): this process runs "
                    + "as effective uid " + (euid < 0 ? "unknown" : euid) + "; run it as root (e.g. sudo ./nemesis run ...)";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "peer.kind: tap needs /dev/net/tun, which is missing: load the tun module (modprobe tun) or, in a "
                    + "container, pass the device in (docker run --device /dev/net/tun --cap-add NET_ADMIN ...)";
        }
        if (!Command.onPath("ip")) {
            return "peer.kind: tap needs the 'ip' command (iproute2), which is not on the PATH: "
                    + "run scripts/install-test-tools.sh or apt-get install iproute2";
        }
        return null;
    }

    /** The effective uid of this process, from {@code /proc/self/status} (-1 if unknown). */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /**
     * Creates a namespace {@code nemesis-<pid>-<n>} with its loopback up, records it in
     * {@link #REGISTRY_DIR} and registers a shutdown hook that closes it.
     *
     * @throws UnsupportedOperationException with what is missing (see {@link #unsupportedReason})
     */
    public static LinuxNamespace create() throws IOException {
        String why = unsupportedReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
        requireRootThread("creating a namespace");
        long pid = ProcessHandle.current().pid();
        String name;
        do {
            name = PREFIX + pid + "-" + COUNTER.getAndIncrement();
        } while (Files.exists(NETNS_DIR.resolve(name)) || Files.exists(REGISTRY_DIR.resolve(name)));
        Files.createDirectories(REGISTRY_DIR);
        Path entry = REGISTRY_DIR.resolve(name);
        Files.writeString(entry, "pid=" + pid + " start=" + startTicks(pid) + "\n", StandardCharsets.US_ASCII);
        LinuxNamespace ns;
        try {
            Command.run(List.of("ip", "netns", "add", name)).check();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(entry);
            throw new IOException("cannot create network namespace " + name + " (peer.kind: tap needs root with "
                    + "CAP_SYS_ADMIN and CAP_NET_ADMIN): " + e.getMessage(), e);
        }
        try {
            ns = new LinuxNamespace(name);
        } catch (IOException | RuntimeException e) {
            deleteNamespace(name, null);
            Files.deleteIfExists(entry);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(ns.hook);
        try {
            ns.ip("link", "set", "dev", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code /var/run/netns/NAME}. */
    public Path path() {
        return path;
    }

    /** The namespace's inode (what {@code /proc/<pid>/task/<tid>/ns/net} of a thread inside points to). */
    public long inode() {
        return ino;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Moves the interface {@code ifName} (a TAP device the emulator created in the root namespace)
     * into the namespace: IPv6 off (so that the kernel sends nothing of its own accord: no router
     * solicitations, no duplicate address detection), {@code mtu}, the address {@code cidr}
     * (e.g. {@code 198.51.100.2/24}), up.
     */
    public void adopt(String ifName, String cidr, int mtu) throws IOException {
        ensureOpen();
        if (!IF_NAME.matcher(ifName).matches()) {
            throw new IllegalArgumentException("not an interface name: '" + ifName + "'");
        }
        Matcher m = CIDR.matcher(cidr);
        if (!m.matches() || Integer.parseInt(m.group(5)) > 32) {
            throw new IllegalArgumentException("not an IPv4 address with a prefix length (a.b.c.d/n): '" + cidr + "'");
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + cidr + "'");
            }
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU must be 68..65535: " + mtu);
        }
        requireRootThread("adopting " + ifName);
        Command.run(List.of("ip", "link", "set", "dev", ifName, "netns", name)).check();
        ipv6Off(ifName);
        ip("link", "set", "dev", ifName, "mtu", Integer.toString(mtu));
        ip("addr", "add", cidr, "dev", ifName);
        ip("link", "set", "dev", ifName, "up");
    }

    /** Turns IPv6 off on {@code ifName} (nothing to do if the kernel has no IPv6). */
    private void ipv6Off(String ifName) throws IOException {
        Boolean off;
        try {
            off = call(() -> {
                Path knob = Path.of("/proc/sys/net/ipv6/conf", ifName, "disable_ipv6");
                if (!Files.exists(Path.of("/proc/sys/net/ipv6"))) {
                    return Boolean.TRUE;
                }
                Files.writeString(knob, "1");
                return "1".equals(Files.readString(knob).strip());
            });
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("turning IPv6 off on " + ifName + " in " + name + ": " + e.getMessage(), e);
        }
        if (!off) {
            throw new IOException("IPv6 is still on on " + ifName + " in " + name);
        }
    }

    /** {@code ip -n NAME ARGS...}, checked. */
    public Command.Result ip(String... args) throws IOException {
        ensureOpen();
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return Command.run(cmd).check();
    }

    /** The IPv4 addresses configured in the namespace. */
    public List<String> addresses() throws IOException {
        return ipv4Addresses(ip("-o", "-4", "addr", "show").output());
    }

    /** The IPv4 addresses of the root namespace (this process's). */
    public static List<String> rootAddresses() throws IOException {
        requireRootThread("listing the root namespace's addresses");
        return ipv4Addresses(Command.run(List.of("ip", "-o", "-4", "addr", "show")).check().output());
    }

    private static List<String> ipv4Addresses(String ipOutput) {
        List<String> out = new ArrayList<>();
        Matcher m = java.util.regex.Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(ipOutput);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Threads inside
    // ------------------------------------------------------------------------------------------

    /**
     * Starts a daemon platform thread that enters the namespace, checks that it did, and runs
     * {@code body}. Returns once the thread is inside; if it cannot enter, the body never runs and
     * this throws.
     */
    public Thread startThread(String threadName, Runnable body) throws IOException {
        ensureOpen();
        CompletableFuture<Void> entered = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name(threadName).unstarted(() -> {
            try {
                enterHere();
            } catch (Throwable e) {
                entered.completeExceptionally(e);
                return;
            }
            entered.complete(null);
            body.run();
        });
        threads.removeIf(x -> !x.isAlive());
        threads.add(t);
        t.start();
        try {
            entered.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IOException("thread " + threadName + " could not enter network namespace " + name + ": "
                    + c.getMessage(), c);
        } catch (TimeoutException e) {
            t.interrupt();
            throw new IOException("thread " + threadName + " did not enter network namespace " + name + " in 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while thread " + threadName + " entered " + name, e);
        }
        return t;
    }

    /** Runs {@code task} on a fresh thread inside the namespace and returns its result. */
    public <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = startThread(name + "-call", () -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } finally {
            t.join(JOIN_MS);
        }
    }

    /** setns into the namespace, then the check. */
    private void enterHere() throws IOException {
        if (closed.get()) {
            throw new IOException("namespace " + name + " is closed");
        }
        int fd = Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            Libc.close(fd);
        }
        checkCurrentThread();
    }

    /**
     * Throws unless the calling thread is in this namespace: the device and inode of
     * {@code /proc/thread-self/ns/net} against those of {@code /var/run/netns/NAME} as they were when
     * the namespace was created. Code about to open a socket calls this first.
     */
    public void checkCurrentThread() throws IOException {
        Path self = Path.of("/proc/thread-self/ns/net");
        long d = ((Number) Files.getAttribute(self, "unix:dev")).longValue();
        long i = ((Number) Files.getAttribute(self, "unix:ino")).longValue();
        if (d != dev || i != ino) {
            throw new IOException("thread " + Thread.currentThread().getName() + " is not in network namespace " + name
                    + " (its namespace is " + Files.readSymbolicLink(self) + ", " + name + " is net:[" + ino + "])");
        }
    }

    /** Whether the calling thread is in the namespace of this process's main thread. */
    public static boolean inRootNamespace() {
        try {
            Path self = Path.of("/proc/thread-self/ns/net");
            Path main = Path.of("/proc/self/ns/net");
            return Files.readSymbolicLink(self).equals(Files.readSymbolicLink(main));
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireRootThread(String what) {
        if (!inRootNamespace()) {
            throw new IllegalStateException(what + " must be done from a thread in the root network namespace "
                    + "(thread " + Thread.currentThread().getName() + " is not)");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Processes inside
    // ------------------------------------------------------------------------------------------

    /**
     * Starts {@code command} inside the namespace ({@code ip netns exec NAME ...}), stdout and
     * stderr merged, stdin empty. It is killed when the namespace closes.
     */
    public Process exec(List<String> command) throws IOException {
        ensureOpen();
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        processes.removeIf(x -> !x.isAlive());
        processes.add(p);
        return p;
    }

    /** Runs {@code command} inside the namespace to completion and returns what it printed. */
    public Command.Result run(List<String> command, long timeoutMs) throws IOException {
        ensureOpen();
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return Command.run(full, timeoutMs);
    }

    /** Something to close (a service, a socket) before the namespace goes: last registered, first closed. */
    public void onClose(AutoCloseable c) {
        closers.add(c);
    }

    /**
     * The processes that have a thread in this namespace: those started in it, and this one while a
     * thread of it is inside.
     */
    public Set<Long> pids() {
        return pidsIn(ino);
    }

    /**
     * Every process with a thread whose network namespace is the one with inode {@code nsIno}
     * (a wider net than {@code ip netns pids}, which looks at main threads only).
     */
    static Set<Long> pidsIn(long nsIno) {
        String want = "net:[" + nsIno + "]";
        Set<Long> out = new TreeSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
                    for (Path task : tasks) {
                        try {
                            if (want.equals(Files.readSymbolicLink(task.resolve("ns/net")).toString())) {
                                out.add(Long.parseLong(proc.getFileName().toString()));
                                break;
                            }
                        } catch (IOException e) {
                            // the task ended, or is a zombie
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }
        } catch (IOException e) {
            throw Command.unchecked(e);
        }
        return out;
    }

    private static boolean isNumber(Path p) {
        String s = p.getFileName().toString();
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Closing
    // ------------------------------------------------------------------------------------------

    /** What went wrong while closing (threads that would not end, processes that would not die...). */
    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("network namespace " + name + " is closed");
        }
    }

    private void problem(String what) {
        problems.add(what);
    }

    private void closeFromHook() {
        if (isClosed()) {
            return;
        }
        close();
        System.err.println("nemesis: stopped before the end: removed network namespace " + name
                + (problems().isEmpty() ? " and its TAP device" : ", with problems:"));
        for (String p : problems()) {
            System.err.println("nemesis: closing " + name + ": " + p);
        }
    }

    /**
     * Closes what was registered with {@link #onClose} (last first), ends the threads it started
     * (interrupted, joined), kills the processes it started and then every process in the
     * namespace, deletes the namespace (the TAP device in it goes with it) and its registry
     * entry. Idempotent; never throws: what went wrong is in {@link #problems}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        AutoCloseable c;
        while ((c = closers.pollLast()) != null) {
            try {
                c.close();
            } catch (Exception e) {
                problem("closing " + c + ": " + e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MS);
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                problem("thread " + t.getName() + " did not end in " + JOIN_MS + " ms: the namespace lives on until it does");
            }
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    problem("process " + p.pid() + " did not die");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killAllIn(ino, name, null, this::problem);
        deleteNamespace(name, this::problem);
        try {
            Files.deleteIfExists(registryEntry);
        } catch (IOException e) {
            problem("removing " + registryEntry + ": " + e);
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs (and finds us closed)
            }
        }
    }

    /**
     * SIGKILLs every process with a thread in the namespace (never this one) and waits for them
     * to go: the number killed.
     */
    private static int killAllIn(long nsIno, String name, PrintStream out, java.util.function.Consumer<String> problems) {
        long self = ProcessHandle.current().pid();
        Set<Long> killed = new LinkedHashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            Set<Long> pids = pidsIn(nsIno);
            boolean ours = pids.remove(self);
            if (pids.isEmpty()) {
                if (ours && problems != null) {
                    problems.accept("a thread of this process is still in " + name);
                }
                return killed.size();
            }
            if (System.nanoTime() > deadline) {
                if (problems != null) {
                    problems.accept("processes " + pids + " in " + name + " would not die");
                }
                return killed.size();
            }
            for (long pid : pids) {
                if (Signals.send(pid, Signals.SIGKILL) && killed.add(pid) && out != null) {
                    out.println("killed process " + pid + " (" + commandOf(pid) + ") in " + name);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return killed.size();
            }
        }
    }

    private static String commandOf(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteNamespace(String name, java.util.function.Consumer<String> problems) {
        if (!Files.exists(NETNS_DIR.resolve(name))) {
            return;
        }
        try {
            Command.Result r = Command.run(List.of("ip", "netns", "delete", name));
            if (!r.ok() && Files.exists(NETNS_DIR.resolve(name)) && problems != null) {
                problems.accept("'ip netns delete " + name + "' failed: " + r.output().strip());
            }
        } catch (IOException e) {
            if (problems != null) {
                problems.accept("'ip netns delete " + name + "' failed: " + e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Leftovers
    // ------------------------------------------------------------------------------------------

    /** The fields of {@code /proc/PID/stat} after the command (field 3, the state, first), or null. */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The start time of process {@code pid} in clock ticks since boot (field 22 of its stat), or -1. */
    static long startTicks(long pid) {
        String[] f = stat(pid);
        try {
            return f == null ? -1 : Long.parseLong(f[22 - 3]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether the process that wrote a registry entry ({@code pid}, started at {@code start}) still
     * runs: it exists, is not a zombie (a process killed outright stays one until reaped), and is
     * the same process (same start time: pids are reused).
     */
    static boolean alive(long pid, long start) {
        if (pid <= 0) {
            return false;
        }
        String[] f = stat(pid);
        if (f == null || f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
            return false;
        }
        return start < 0 || f[22 - 3].equals(Long.toString(start));
    }

    /** A registry entry's owner: {@code pid=N start=T}; null if unreadable. */
    private static long[] owner(Path entry) {
        try {
            long pid = -1;
            long start = -1;
            for (String kv : Files.readString(entry).trim().split("\\s+")) {
                if (kv.startsWith("pid=")) {
                    pid = Long.parseLong(kv.substring(4));
                } else if (kv.startsWith("start=")) {
                    start = Long.parseLong(kv.substring(6));
                }
            }
            return pid > 0 ? new long[] {pid, start} : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Removes what runs of processes that are gone left behind ({@code nemesis tap cleanup}):
     * namespaces in the registry, and {@code nemesis-<pid>-<n>} namespaces, whose owner is not
     * alive (after killing the processes in them), their registry entries, and {@code nmt*} TAP
     * devices in the root namespace that no process holds open. Prints what it did to {@code out};
     * returns how many namespaces and devices it removed.
     */
    public static int cleanupLeftovers(PrintStream out) throws IOException {
        String why = unsupportedReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
        requireRootThread("cleaning up");
        int removed = 0;
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(REGISTRY_DIR)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(REGISTRY_DIR)) {
                for (Path e : entries) {
                    names.add(e.getFileName().toString());
                }
            }
        }
        if (Files.isDirectory(NETNS_DIR)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(NETNS_DIR)) {
                for (Path e : entries) {
                    if (NAME.matcher(e.getFileName().toString()).matches()) {
                        names.add(e.getFileName().toString());
                    }
                }
            }
        }
        for (String n : names) {
            Path entry = REGISTRY_DIR.resolve(n);
            long[] owner = Files.exists(entry) ? owner(entry) : null;
            if (owner == null) {
                Matcher m = NAME.matcher(n);
                owner = m.matches() ? new long[] {Long.parseLong(m.group(1)), -1} : null;
            }
            if (owner != null && alive(owner[0], owner[1])) {
                continue;
            }
            Path ns = NETNS_DIR.resolve(n);
            String whose = owner == null ? "no owner on record" : "owner pid " + owner[0] + " is gone";
            if (Files.exists(ns)) {
                try {
                    long nsIno = ((Number) Files.getAttribute(ns, "unix:ino")).longValue();
                    killAllIn(nsIno, n, out, p -> out.println("problem: " + p));
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
                List<String> failed = new ArrayList<>();
                deleteNamespace(n, failed::add);
                failed.forEach(f -> out.println("problem: " + f));
                if (failed.isEmpty()) {
                    out.println("removed network namespace " + n + " (" + whose + ")");
                    removed++;
                }
            }
            if (Files.deleteIfExists(entry)) {
                out.println("removed registry entry " + entry + " (" + whose + ")");
            }
        }
        Set<String> held = heldTaps();
        Command.Result links = Command.run(List.of("ip", "-o", "link", "show")).check();
        Matcher m = java.util.regex.Pattern.compile("(?m)^\\d+:\\s+([^:@\\s]+)[:@]").matcher(links.output());
        while (m.find()) {
            String dev = m.group(1);
            if (!dev.startsWith(TAP_PREFIX) || held.contains(dev)) {
                continue;
            }
            Command.Result r = Command.run(List.of("ip", "link", "delete", "dev", dev));
            if (r.ok()) {
                out.println("removed TAP device " + dev + " (no process holds it)");
                removed++;
            } else {
                out.println("problem: 'ip link delete dev " + dev + "' failed: " + r.output().strip());
            }
        }
        out.println(removed == 0 ? "nothing to clean up" : "cleaned up " + removed);
        return removed;
    }

    /** The TAP devices some process holds open (the {@code iff:} line of its descriptor's fdinfo). */
    static Set<String> heldTaps() {
        Set<String> held = new TreeSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), LinuxNamespace::isNumber)) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (!"/dev/net/tun".equals(Files.readSymbolicLink(fd).toString())) {
                                continue;
                            }
                            for (String line : Files.readAllLines(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
                                if (line.startsWith("iff:")) {
                                    held.add(line.substring(4).trim());
                                }
                            }
                        } catch (IOException | RuntimeException e) {
                            // closed meanwhile
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }
        } catch (IOException e) {
            throw Command.unchecked(e);
        }
        return held;
    }

    @Override
    public String toString() {
        return "network namespace " + name;
    }
}
