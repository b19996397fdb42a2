// The seed tutorial's CORS middleware, hand-written headers: allow the configured origins (or any
// with "*"), the MCP headers, expose Mcp-Session-Id, and answer preflight with 204.
import type { NextFunction, Request, Response } from 'express'

export function corsMiddleware (allowedOrigins: string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin
    if (origin && (allowedOrigins.includes('*') || allowedOrigins.includes(origin))) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      res.setHeader('Vary', 'Origin')
    }
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS')
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-API-Key, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID')
    res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id')
    if (req.method === 'OPTIONS') {
      res.sendStatus(204)
      return
    }
    next()
  }
}
