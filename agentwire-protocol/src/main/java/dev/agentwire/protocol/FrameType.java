package dev.agentwire.protocol;

import java.util.Optional;

/** The types of a typed frame {@code [u8 type][u32 length][payload]} (the VibeTunnel seed's, plus JsonRpc). */
public enum FrameType {
    /** Bytes typed into a terminal. */
    STDIN_DATA(0x01),
    /** JSON: resize, kill, update-title, reset-size. */
    CONTROL_CMD(0x02),
    /** JSON: a status change. */
    STATUS_UPDATE(0x03),
    /** Bytes a terminal printed. */
    STDOUT_DATA(0x04),
    /** JSON: what a session is. */
    SESSION_INFO(0x05),
    /** JSON: {@code {code, message, data}}. */
    ERROR(0x06),
    /** Empty or opaque: liveness. */
    HEARTBEAT(0x07),
    /** One JSON-RPC message (or batch). */
    JSON_RPC(0x10);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type byte. */
    public int code() {
        return code;
    }

    /** The frame type with this type byte, if it is one. */
    public static Optional<FrameType> of(int code) {
        return code < 0 || code > 255 ? Optional.empty() : Optional.ofNullable(BY_CODE[code]);
    }
}
