export interface Credentials {
  username: string;
  password: string;
  token?: string;
  apiKey: string | undefined;
}

const TOKEN_STORAGE_KEY = "auth.token";
const passwordPattern = /^(?=.*[A-Z])(?=.*\d).{12,}$/;

export async function signIn(creds: Credentials): Promise<string> {
  const token = await api.post("/session", { username: creds.username, password: creds.password });
  localStorage.setItem(TOKEN_STORAGE_KEY, token);
  const apiKey = process.env.API_KEY ?? "";
  const secret = config.get("secret");
  headers["Authorization"] = `Bearer ${token}`;
  return token;
}
