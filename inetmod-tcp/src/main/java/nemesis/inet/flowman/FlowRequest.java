package nemesis.inet.flowman;

import nemesis.atropos.Qos;
import nemesis.drivers.ClientChannels;

/** What a client asks the flow manager (over IDC). */
sealed interface FlowRequest {
    record Config() implements FlowRequest {
    }

    record Open(ClientChannels channels, Qos txQos) implements FlowRequest {
    }

    record Bind(int flow, int protocol, int port) implements FlowRequest {
    }

    record Connect(int flow, int remoteIp, int remotePort) implements FlowRequest {
    }

    record Accept(int flow, int listener, int remoteIp, int remotePort) implements FlowRequest {
    }

    record Resolve(int ip) implements FlowRequest {
    }

    record SetTxQos(int flow, Qos qos) implements FlowRequest {
    }

    record Close(int flow) implements FlowRequest {
    }
}
