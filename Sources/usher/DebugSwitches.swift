/// HAProxy's `-d…` debugging switches (`-d`, `-dM`, `-dW`, …), as usher understands them.
///
/// HAProxy glues a switch's argument to its letter (`-dM0x55,no-merge`, `-dKall`), a shape the
/// argument parser cannot read, so `rewrite(_:)` turns every such word into the hidden
/// `--usher-debug-switch WORD` option before parsing, and `RunCommand` reads them back with
/// `init(words:)`. `-db` is left alone: it is an ordinary flag.
struct DebugSwitches: Equatable {
    /// `-d`: stay in the foreground and print debug messages.
    var debug = false
    /// `-dW`: refuse to start when the configuration has a warning (`zero-warning`).
    var zeroWarning = false
    /// The switches that are accepted but change nothing in usher, as written (`-dM`, `-dS`, …).
    var withoutEffect: [String] = []

    /// The hidden option each `-d…` word becomes.
    static let optionName = "usher-debug-switch"

    struct UnknownSwitch: Error, CustomStringConvertible {
        var word: String
        var description: String {
            "unknown debug switch '\(word)' (usher knows -d, -db, -dD, -dG, -dI, -dK…, -dL, -dM…, -dS, -dV, -dW, -de, -dk, -dp, -dr; see --help)"
        }
    }

    /// Options whose next word is a value, never a switch (`-f -dfile.cfg` names a file).
    private static let optionsWithValue: Set<String> = ["-f", "-p", "-x", "-sf", "-st", "-L", "-C", "-S", "-m", "-n", "-N", "-cc", "--usher-worker-socket"]

    /// The command line with each `-d…` switch but `-db` in the form the parser reads.
    static func rewrite(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                result += arguments[index...]
                break
            }
            if optionsWithValue.contains(word), index + 1 < arguments.count {
                result += [word, arguments[index + 1]]
                index += 2
                continue
            }
            if word.hasPrefix("-d"), word != "-db" {
                // Without its dash: an option's value may not start with one.
                result += ["--\(optionName)", String(word.dropFirst())]
            } else {
                result.append(word)
            }
            index += 1
        }
        return result
    }

    /// Reads the switches `rewrite(_:)` passed on (each without its leading dash: `d`, `dM0x55`).
    init(words: [String]) throws {
        for word in words {
            let written = "-" + word
            guard word.hasPrefix("d") else { throw UnknownSwitch(word: written) }
            let letters = word.dropFirst()
            guard let letter = letters.first else {
                debug = true
                continue
            }
            let rest = letters.dropFirst()
            switch letter {
            case "M", "K":
                // Arguments of their own: a poisoning byte and pool options; keyword classes.
                withoutEffect.append(written)
            case "W", "D", "G", "I", "L", "S", "V", "e", "k", "p", "r":
                guard rest.isEmpty else { throw UnknownSwitch(word: written) }
                if letter == "W" { zeroWarning = true } else { withoutEffect.append(written) }
            default:
                throw UnknownSwitch(word: written)
            }
        }
    }

    init() {}

    /// What `--help` says of each switch: HAProxy's meaning, then usher's. Lines are kept short:
    /// the help printer would wrap longer ones without their indentation.
    static let help = """
        HAProxy's debugging switches are accepted, so that scripts written for haproxy
        (VTest's regression tests among them) can start usher:
          -d         Stay in the foreground; print usher's debug messages on standard
                     error. (HAProxy also traces each connection's events; usher not.)
          -db        Stay in the foreground, whatever the configuration says.
          -dW        Zero-warning mode: refuse to start (or, with -c, fail the check)
                     if the configuration has any warning.
          -dM[…]     HAProxy: poison allocated memory; memory pool options.
                     usher: no effect (Swift hands out no uninitialised memory).
          -dD        HAProxy: extra diagnostic warnings. usher: no effect.
          -dG        HAProxy: do not use getaddrinfo(). usher: no effect (names are
                     always resolved with getaddrinfo()).
          -dI        HAProxy: allow forking (insecure-fork-wanted). usher: no effect
                     (it runs no external checks or other programs).
          -dK…       HAProxy: list the registered keywords. usher: no effect.
          -dL        HAProxy: list the shared libraries loaded. usher: no effect.
          -dS        HAProxy: do not use splice(). usher: no effect (it never splices).
          -dV        HAProxy: do not verify servers' certificates. usher: no effect
                     yet (write 'ssl-server-verify none' in the global section).
          -de, -dk, -dp
                     HAProxy: do not use the epoll, kqueue or poll poller.
                     usher: no effect (SwiftNIO picks epoll on Linux, else kqueue).
          -dr        HAProxy: start even if a server's name does not resolve.
                     usher: no effect yet (write 'init-addr last,libc,none').

        """
}
