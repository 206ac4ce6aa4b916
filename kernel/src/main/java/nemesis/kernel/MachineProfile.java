package nemesis.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A machine profile: the CPU cost of each operation, in nanoseconds (keys ending {@code _ns}; a
 * few per-byte costs end {@code _ps}), and the hardware's figures (the card's transmit
 * descriptors). The kernel reads its own keys ({@code cpu.*}); later layers (drivers, InetMod)
 * read theirs from the same profile.
 *
 * <p>Profiles live in {@code nemesis/kernel/machines/NAME.properties} on the class path.
 */
public final class MachineProfile {
    /** The profiles shipped with the emulator. */
    public static final List<String> BUILT_IN = List.of("p200-de4x5", "p200-3c509", "ideal");
    public static final String DEFAULT = "p200-de4x5";

    private final String name;
    private final String description;
    private final Map<String, Long> costs;

    /** Cached kernel costs: read on every kernel entry. */
    final long kernelEntryNs;
    final long eventSendNs;
    final long activationNs;
    final long threadSwitchNs;

    public MachineProfile(String name, String description, Map<String, Long> costs) {
        this.name = name;
        this.description = description;
        this.costs = Collections.unmodifiableMap(new TreeMap<>(costs));
        this.kernelEntryNs = require("cpu.kernel_entry_ns");
        this.eventSendNs = require("cpu.event_send_ns");
        this.activationNs = require("cpu.activation_ns");
        this.threadSwitchNs = require("cpu.thread_switch_ns");
    }

    /** Loads a built-in profile. */
    public static MachineProfile load(String name) {
        String resource = "machines/" + name + ".properties";
        try (InputStream in = MachineProfile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("unknown machine profile '" + name + "' (known: "
                        + String.join(", ", BUILT_IN) + ")");
            }
            Properties p = new Properties();
            p.load(in);
            Map<String, Long> costs = new TreeMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.equals("description")) {
                    continue;
                }
                try {
                    costs.put(key, Long.parseLong(p.getProperty(key).trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("machine profile " + name + ": " + key + " is not a whole number");
                }
            }
            return new MachineProfile(name, p.getProperty("description", name), costs);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read machine profile " + resource, e);
        }
    }

    public static boolean exists(String name) {
        return MachineProfile.class.getResource("machines/" + name + ".properties") != null;
    }

    private long require(String key) {
        Long v = costs.get(key);
        if (v == null || v < 0) {
            throw new IllegalArgumentException("machine profile " + name + ": " + key + " missing or negative");
        }
        return v;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The cost of an operation by key, or {@code defaultNs} if this profile does not give it. */
    public long costNs(String key, long defaultNs) {
        return costs.getOrDefault(key, defaultNs);
    }

    /** Any whole-number setting of the profile (a cost, a count), or {@code otherwise}. */
    public long value(String key, long otherwise) {
        return costs.getOrDefault(key, otherwise);
    }

    public Map<String, Long> costs() {
        return costs;
    }

    /** A trap into the kernel and back (every system call). */
    public long kernelEntryNs() {
        return kernelEntryNs;
    }

    /** Sending an event on an event channel (on top of the kernel entry). */
    public long eventSendNs() {
        return eventSendNs;
    }

    /** Switching the CPU to another domain and upcalling its activation handler. */
    public long activationNs() {
        return activationNs;
    }

    /** The domain's user-level scheduler switching between its threads. */
    public long threadSwitchNs() {
        return threadSwitchNs;
    }
}
