/**
 * grove's own secrets (the runner's hub token, the dashboard's admin password and signing secret): no
 * process grove starts gets them, not an agent or a repository's command, nor git and the hooks git runs.
 */
export function isGroveSecret(name: string): boolean {
  return name.startsWith("GROVE_") && /TOKEN|SECRET|PASSWORD|KEY/.test(name);
}
