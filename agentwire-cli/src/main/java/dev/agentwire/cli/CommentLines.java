package dev.agentwire.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Leaves the comment lines out of generated code ({@code generate.generateComments: false}): whole lines that
 * are a {@code //} comment, a block comment that starts its line ({@code /* ... *}{@code /}), or for Python and
 * shell a {@code #} comment (not {@code #!}). A comment after code on the same line stays: cutting inside a line
 * would need each language's string syntax. Pure.
 */
final class CommentLines {

    private CommentLines() {}

    static String strip(String language, String code) {
        boolean hash = language.equals("python") || language.equals("bash");
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        for (String line : code.split("\n", -1)) {
            String t = line.trim();
            if (inBlock) {
                inBlock = !t.contains("*/");
                continue;
            }
            if (hash) {
                if (t.startsWith("#") && !t.startsWith("#!")) {
                    continue;
                }
            } else if (t.startsWith("//")) {
                continue;
            } else if (t.startsWith("/*")) {
                int end = t.indexOf("*/", 2);
                if (end < 0) {
                    inBlock = true;
                    continue;
                }
                if (end + 2 == t.length()) {
                    continue;
                }
            }
            out.add(line);
        }
        return String.join("\n", out);
    }
}
