import NIOSSL
import UsherRouting
import X509

extension ServerCertificateNames {
    /// The names in a peer's certificate.
    init(_ certificate: NIOSSLCertificate) throws {
        let parsed = try Certificate(derEncoded: certificate.toDERBytes())
        let alternatives = try parsed.extensions.subjectAlternativeNames
        let dnsNames = alternatives?.compactMap { name -> String? in
            if case .dnsName(let dns) = name { return dns }
            return nil
        } ?? []
        let commonNames = parsed.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
        self.init(dnsNames: dnsNames, commonNames: commonNames)
    }
}
