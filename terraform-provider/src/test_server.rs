//! Unit tests' fake control planes: an axum router served on a free local port.

/// Serve `app` on 127.0.0.1 and return its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}
