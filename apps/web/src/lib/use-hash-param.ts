"use client";
import { useEffect, useState } from "react";

/** A value from the URL fragment (`#token=…`): never sent to the server in requests or logs. */
export function useHashParam(name: string): string {
  const [value, setValue] = useState("");
  useEffect(() => {
    const read = () => setValue(new URLSearchParams(window.location.hash.slice(1)).get(name) ?? "");
    read();
    window.addEventListener("hashchange", read);
    return () => window.removeEventListener("hashchange", read);
  }, [name]);
  return value;
}
