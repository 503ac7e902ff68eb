import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The built app's directory (dist/app of this package), whether this module runs from dist or from src. */
export function appDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/index.js → <pkg>/dist; src/node/server.ts → <pkg>/src/node
  const pkg = here.endsWith(`${sep}dist`) ? dirname(here) : resolve(here, "..", "..");
  return join(pkg, "dist", "app");
}

/** The app has not been built (run the package's build: tsup and vite build). */
export class AppNotBuiltError extends Error {
  constructor(readonly dir: string) {
    super(
      `the explorer app is not built: ${join(dir, "index.html")} is missing (pnpm --filter @adore/explorer-web build)`,
    );
    this.name = "AppNotBuiltError";
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json; charset=utf-8",
  ".ico": "image/x-icon",
};

export interface ServeOptions {
  /** The directory to serve (default: the built app). */
  readonly dir?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly host?: string;
  /** Extra files by URL path (e.g. `/run/adore-view.json` → a recorded run's view). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface ServedApp {
  /** The page's address, e.g. http://127.0.0.1:4173/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the built app (a plain static server: GET and HEAD, no directory listings, nothing outside `dir`). */
export function serveApp(o: ServeOptions = {}): Promise<ServedApp> {
  const dir = resolve(o.dir ?? appDir());
  if (!existsSync(join(dir, "index.html"))) return Promise.reject(new AppNotBuiltError(dir));
  const host = o.host ?? "127.0.0.1";
  const files = o.files ?? {};
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad path");
      return;
    }
    const extra = Object.hasOwn(files, path) ? files[path] : undefined;
    const file = extra ?? join(dir, normalize(path.endsWith("/") ? `${path}index.html` : path));
    if (extra === undefined && !file.startsWith(dir + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolveServe, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => {
      const port = (server.address() as { port: number }).port;
      resolveServe({
        url: `http://${host}:${port}/`,
        port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
