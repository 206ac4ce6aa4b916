package nemesis.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

class TransmitFilterTest {
    @Test
    void aHeaderRecordWhosePayloadFollowsInAnotherRecordPasses() {
        MemorySegment client = Arena.ofAuto().allocate(256);
        MemorySegment copy = Arena.ofAuto().allocate(TransmitFilter.MAX_HEADER);
        // headers for 1000 bytes of payload that the client keeps in a second record
        DriverHarness.udpFrame(client, 0, DriverHarness.HOST_MAC, DriverHarness.PEER_MAC, DriverHarness.HOST_IP,
                DriverHarness.PEER_IP, 5000, 9, 0, 1);
        new Ipv4Packet().wrap(client, 14, 28).totalLength(28 + 1000).fillChecksum();
        TransmitFilter f = new TransmitFilter();
        f.template(TransmitFilter.Template.ipv4(DriverHarness.HOST_MAC, Ipv4Packet.PROTO_UDP, DriverHarness.HOST_IP, 5000));
        assertEquals(TransmitFilter.Verdict.PASS, f.copyAndCheck(client, 0, 42, copy, 0));
        new Ipv4Packet().wrap(client, 14, 28).totalLength(19);
        assertEquals(TransmitFilter.Verdict.BAD_IP_HEADER, f.copyAndCheck(client, 0, 42, copy, 0), "shorter than its header");
    }
}
