/// One runtime API command: its words, as HAProxy's CLI splits a command line (spaces and tabs
/// separate words, a backslash takes the next character literally).
public struct RuntimeAPIRequest: Sendable, Equatable {
    public var words: [String]

    public init(words: [String]) {
        self.words = words
    }

    /// The word at `index`, or `""` past the end (HAProxy's empty argument).
    public subscript(_ index: Int) -> String {
        index < words.count ? words[index] : ""
    }

    /// Whether the command starts with `prefix`.
    public func starts(with prefix: [String]) -> Bool {
        words.count >= prefix.count && Array(words.prefix(prefix.count)) == prefix
    }

    /// Splits one command line into commands at unescaped `;`, then each into words.
    public static func parse(line: [UInt8]) -> [RuntimeAPIRequest] {
        var requests: [RuntimeAPIRequest] = []
        var words: [String] = []
        var word: [UInt8] = []
        var inWord = false
        var escaped = false
        func endWord() {
            if inWord { words.append(String(decoding: word, as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
            inWord = false
        }
        for byte in line {
            if escaped {
                word.append(byte)
                inWord = true
                escaped = false
                continue
            }
            switch byte {
            case UInt8(ascii: "\\"):
                escaped = true
                inWord = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                endWord()
            case UInt8(ascii: ";"):
                endWord()
                requests.append(RuntimeAPIRequest(words: words))
                words = []
            default:
                word.append(byte)
                inWord = true
            }
        }
        endWord()
        // `cmd;` ends with an empty command, which is not one.
        if requests.isEmpty || !words.isEmpty { requests.append(RuntimeAPIRequest(words: words)) }
        return requests
    }
}
