import Foundation

/// One `-----BEGIN LABEL----- … -----END LABEL-----` block of a PEM file.
///
/// A certificate file as HAProxy reads it is a pile of such blocks in any order: the certificate,
/// its chain, usually the private key, sometimes DH or EC parameters. The blocks are cut out here
/// and decoded leniently (any line length, CRLF, text between blocks), as OpenSSL reads them;
/// each is then handed to NIOSSL and swift-certificates re-encoded canonically, because
/// swift-certificates' own PEM reader wants 64-character lines.
struct PEMBlock: Sendable, Equatable {
    /// What the block holds: `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`…
    var label: String
    /// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`), which only legacy encrypted keys carry.
    var headers: [String]
    /// The decoded body; `nil` when it is not valid base64 or the block has no END line.
    var der: [UInt8]?

    var isCertificate: Bool { label == "CERTIFICATE" || label == "X509 CERTIFICATE" }

    var isPrivateKey: Bool { label.hasSuffix("PRIVATE KEY") }

    /// A key protected by a passphrase: PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key with
    /// an encryption header.
    var isEncrypted: Bool {
        label == "ENCRYPTED PRIVATE KEY" || headers.contains { $0.hasPrefix("Proc-Type:") && $0.contains("ENCRYPTED") }
    }

    /// The block re-encoded with 64-character lines and no headers, under `label` (by default its own).
    func canonicalPEM(label: String? = nil) -> String? {
        guard let der else { return nil }
        let label = label ?? self.label
        let base64 = Data(der).base64EncodedString()
        var text = "-----BEGIN \(label)-----\n"
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            text += base64[start..<end] + "\n"
            start = end
        }
        return text + "-----END \(label)-----\n"
    }

    /// The blocks of `bytes`, in file order. Text outside blocks is skipped; a block cut short by
    /// the end of the file or by another BEGIN line is kept with no body, so that the caller can
    /// say it is broken rather than missing.
    static func blocks(in bytes: [UInt8]) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var current: (label: String, headers: [String], body: String)?
        for rawLine in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                if let open = current { blocks.append(PEMBlock(label: open.label, headers: open.headers, der: nil)) }
                current = (String(line.dropFirst(11).dropLast(5)), [], "")
            } else if let open = current {
                if line == "-----END \(open.label)-----" {
                    let der = Data(base64Encoded: open.body).flatMap { $0.isEmpty ? nil : [UInt8]($0) }
                    blocks.append(PEMBlock(label: open.label, headers: open.headers, der: der))
                    current = nil
                } else if open.body.isEmpty && line.contains(":") {
                    current?.headers.append(line)
                } else {
                    current?.body += line
                }
            }
        }
        if let open = current { blocks.append(PEMBlock(label: open.label, headers: open.headers, der: nil)) }
        return blocks
    }
}
