package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Text;
import java.io.IOException;
import java.util.Optional;

/**
 * What a frame from an {@code ipc.sock} client asks of its terminal, and the frame that answers it: StdinData is
 * typed (no answer), ControlCmd ({@code resize}, {@code reset-size}, {@code kill}, {@code update-title}) is answered
 * with a StatusUpdate, Heartbeat is echoed; anything else is refused with a {@link HubException} (the caller sends it
 * as an Error frame and goes on). The same rules on the hub's {@code ipc.sock} and on a detached terminal's
 * forwarder's. Stateless.
 */
public final class IpcFrames {

    /** The terminal a client drives. */
    public interface Controls {

        void type(byte[] bytes);

        /** The StatusUpdate after a resize; throws {@link HubException} for a bad size. */
        ObjectNode resize(int cols, int rows);

        /** Back to the size the terminal started with. */
        ObjectNode resetSize();

        ObjectNode kill(int signal);

        ObjectNode title(String title);
    }

    private IpcFrames() {}

    /** Does what {@code frame} asks of {@code terminal}; the frame to answer with, or empty. */
    public static Optional<Frame> handle(Frame frame, Controls terminal) {
        FrameType kind = frame.kind().orElseThrow(() -> refused(frame, "unknown"));
        return switch (kind) {
            case STDIN_DATA -> {
                terminal.type(frame.payload());
                yield Optional.empty();
            }
            case CONTROL_CMD ->
                Optional.of(Frame.of(
                        FrameType.STATUS_UPDATE,
                        control(frame.payload(), terminal).toString()));
            case HEARTBEAT -> Optional.of(Frame.of(FrameType.HEARTBEAT, frame.payload()));
            default -> throw refused(frame, kind.name());
        };
    }

    private static ObjectNode control(byte[] payload, Controls terminal) {
        JsonNode cmd;
        try {
            cmd = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw HubException.of(
                    ErrorCode.PARSE_ERROR,
                    "malformed_json",
                    "ControlCmd is not JSON: " + Text.firstLine(e.getMessage()));
        }
        if (cmd == null || !cmd.isObject() || !cmd.path("cmd").isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "ControlCmd must be {\"cmd\": \"resize\"|\"kill\"|\"update-title\"|\"reset-size\", ...}");
        }
        return switch (cmd.path("cmd").textValue()) {
            case "resize" ->
                terminal.resize(cmd.path("cols").asInt(0), cmd.path("rows").asInt(0));
            case "reset-size" -> terminal.resetSize();
            case "kill" -> terminal.kill(cmd.path("signal").asInt(15));
            case "update-title" -> terminal.title(cmd.path("title").asText(""));
            default ->
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_command",
                        "unknown ControlCmd " + cmd.path("cmd").textValue()
                                + "; known: resize, kill, update-title, reset-size");
        };
    }

    private static HubException refused(Frame frame, String name) {
        return HubException.of(
                ErrorCode.INVALID_REQUEST,
                "unsupported_frame",
                String.format(
                        "frame type 0x%02X (%s) is not accepted on ipc.sock; send StdinData (0x01), ControlCmd (0x02)"
                                + " or Heartbeat (0x07)",
                        frame.type(), name));
    }
}
