import Crypto
import Foundation
import NIOCore
import NIOSSL
import UsherConfig
import UsherRouting
import X509

extension TLSConnectionInfo {
    /// What the handshake just completed on `pipeline` settled: read once, when the session
    /// handler gets the library's `handshakeCompleted` event.
    static func established(in pipeline: ChannelPipeline.SynchronousOperations, negotiatedProtocol: String?) -> TLSConnectionInfo {
        var info = TLSConnectionInfo(alpn: negotiatedProtocol)
        if let accept = try? pipeline.handler(type: TLSAcceptHandler.self) {
            info.serverName = accept.serverName
            if let summary = accept.serverHello {
                info.sessionReused = summary.resumed
                info.cipher = summary.cipher?.name
                info.cipherKeyBits = summary.cipher?.keyBits
            }
        }
        if let library = try? pipeline.handler(type: NIOSSLServerHandler.self) {
            info.version = library.tlsVersion.map(Self.version)
            if let certificate = library.peerCertificate {
                info.clientCertificate = Self.fields(of: certificate)
            }
        }
        return info
    }

    private static func version(_ version: TLSVersion) -> TLSProtocolVersion {
        switch version {
        case .tlsv1: return .tlsv1_0
        case .tlsv11: return .tlsv1_1
        case .tlsv12: return .tlsv1_2
        case .tlsv13: return .tlsv1_3
        }
    }

    /// The `ssl_c_*` fields of a client certificate.
    static func fields(of certificate: NIOSSLCertificate) -> ClientCertificate? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        return ClientCertificate(
            subject: attributes(parsed.subject), issuer: attributes(parsed.issuer),
            serial: Array(parsed.serialNumber.bytes), sha1: Array(Insecure.SHA1.hash(data: der)),
            notBefore: utcTime(parsed.notValidBefore), notAfter: utcTime(parsed.notValidAfter),
            version: parsed.version == .v3 ? 3 : (parsed.version == .v1 ? 1 : 2)
        )
    }

    /// RDNs most significant first, with OpenSSL's short names.
    private static func attributes(_ name: DistinguishedName) -> [(type: String, value: String)] {
        name.flatMap { rdn in
            rdn.map { attribute in
                let oid = attribute.type.description
                // The value as written (`description` escapes commas and the like, HAProxy does not).
                return (shortNames[oid] ?? oid, String(attribute.value) ?? attribute.value.description)
            }
        }
    }

    /// OpenSSL's short names of the usual attribute types, by dotted object identifier.
    private static let shortNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O",
        "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC",
    ]

    /// `YYMMDDhhmmssZ`, as OpenSSL prints an ASN.1 UTCTime (what HAProxy returns for dates before 2050).
    private static func utcTime(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds) - days * 86_400
        let (year, month, day) = LogTimestamp.civil(days: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return two(year % 100) + two(month) + two(day) + two(rest / 3600) + two(rest / 60 % 60) + two(rest % 60) + "Z"
    }
}
