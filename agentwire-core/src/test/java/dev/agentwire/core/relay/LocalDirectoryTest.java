package dev.agentwire.core.relay;

/** {@link LocalDirectory} keeps the {@link Directory} contract. */
class LocalDirectoryTest extends DirectoryContract {

    @Override
    protected Directory<String> newDirectory(String hub) {
        return new LocalDirectory<>(hub);
    }
}
