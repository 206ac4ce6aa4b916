package nemesis.kernel;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Inter-domain communication: a synchronous call from a client domain to a server domain, as
 * Nemesis does it over shared memory and a pair of event channels. The client writes the request
 * in their shared slot and sends an event; a server thread, which runs on the server's own CPU
 * time, takes it, computes the reply and sends an event back; the client blocks meanwhile.
 * Arguments are Java objects (marshalling is not emulated; its cost is charged as
 * {@code idc.call_ns} to the client and {@code idc.serve_ns} to the server).
 *
 * @param <Q> requests
 * @param <R> replies
 */
public final class Idc<Q, R> {
    private final DomainContext server;
    private final String name;
    private final BiFunction<DomainContext, Q, R> handler;
    private final EventQueue requests;
    private final Map<EventCount, Binding<Q, R>> byRequestCount = new IdentityHashMap<>();
    private final long callNs;
    private final long serveNs;

    /**
     * Creates the service in {@code server} (call from the server's thread). Serve it with
     * {@link #serve()} on a thread of the server.
     *
     * @param handler computes a reply; it gets the calling client's context (to check rights)
     */
    public Idc(DomainContext server, String name, BiFunction<DomainContext, Q, R> handler) {
        this.server = server;
        this.name = name;
        this.handler = handler;
        this.requests = server.newEventQueue(name + ".requests");
        this.callNs = server.machine().costNs("idc.call_ns", 0);
        this.serveNs = server.machine().costNs("idc.serve_ns", 0);
    }

    public String name() {
        return name;
    }

    /** A client's end of the service: made by the client (its calls then go through it). */
    public Binding<Q, R> bind(DomainContext client) {
        EventCount req = server.newEventCount(name + ".req." + client.name());
        EventCount rep = client.newEventCount(name + ".rep." + client.name());
        Binding<Q, R> b = new Binding<>(this, client, client.connect(req), server.connect(rep), req, rep,
                client.newEventCount(name + ".turn." + client.name()));
        byRequestCount.put(req, b);
        requests.attach(req);
        return b;
    }

    /** The server's loop: serves calls until the domain dies. Run it on a thread of the server. */
    public void serve() {
        while (true) {
            requests.await(Kernel.NEVER);
            EventCount ec;
            while ((ec = requests.poll()) != null) {
                Binding<Q, R> b = byRequestCount.get(ec);
                if (b == null || b.served >= ec.read()) {
                    continue;
                }
                b.served = ec.read();
                if (serveNs > 0) {
                    server.consume(serveNs);
                }
                R reply;
                try {
                    reply = handler.apply(b.client, b.request);
                    b.failure = null;
                } catch (RuntimeException e) {
                    reply = null;
                    b.failure = e;
                }
                b.reply = reply;
                b.request = null;
                b.toClient.send(1);
            }
        }
    }

    /** One client's binding to the service. */
    public static final class Binding<Q, R> {
        private final Idc<Q, R> idc;
        private final DomainContext client;
        private final EventChannel toServer;
        private final EventChannel toClient;
        private final EventCount replies;
        /** Advances when a call ends: the client's next thread may then make its own (one call at a time). */
        private final EventCount turn;
        private boolean calling;
        private Q request;
        private R reply;
        private RuntimeException failure;
        private long calls;
        private long served;

        private Binding(Idc<Q, R> idc, DomainContext client, EventChannel toServer, EventChannel toClient,
                        EventCount requestCount, EventCount replies, EventCount turn) {
            this.idc = idc;
            this.client = client;
            this.toServer = toServer;
            this.toClient = toClient;
            this.replies = replies;
            this.turn = turn;
        }

        /**
         * Calls the server and waits for its reply. A failure in the server is rethrown here (the
         * server carries on). The binding has one request slot: when several threads of the client
         * call, each waits for the call before it to end (a second request would overwrite the
         * first, and its caller would take the other's reply).
         */
        public R call(Q q) {
            while (calling) {
                turn.await(turn.read() + 1);
            }
            calling = true;
            try {
                if (idc.callNs > 0) {
                    client.consume(idc.callNs);
                }
                request = q;
                calls++;
                toServer.send(1);
                replies.await(calls);
                RuntimeException f = failure;
                R r = reply;
                reply = null;
                failure = null;
                if (f != null) {
                    throw f;
                }
                return r;
            } finally {
                calling = false;
                turn.advance(1);
            }
        }
    }
}
