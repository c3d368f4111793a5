/// `mode tcp` or `mode http`. A proxy without `mode` (and no `mode` in its defaults) is `tcp`, as in HAProxy.
public enum ProxyMode: String, Sendable, Equatable {
    case tcp
    case http
}
