// Trust: an OkHttp client that trusts only the test certificate, as the
// app's would trust its pinned one; shared by CacheClient and StreamsClient.
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

public final class Trust {
    private Trust() {}

    // A builder whose TLS trusts only the certificate in the PEM file certPem.
    public static OkHttpClient.Builder only(String certPem) throws Exception {
        X509Certificate cert;
        try (InputStream in = new FileInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("lume", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {tm}, null);
        return new OkHttpClient.Builder().sslSocketFactory(tls.getSocketFactory(), tm);
    }
}
