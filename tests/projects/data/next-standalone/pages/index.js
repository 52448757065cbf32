import styles from "./index.module.css";

export async function getServerSideProps() {
  // Rendered per request by the server, so the image must run Next's server, not only serve files.
  return { props: { teas: ["sencha", "assam", "rooibos"], served: new Date().toISOString() } };
}

export default function Menu({ teas, served }) {
  return (
    <main className={styles.menu}>
      <h1>Tea menu</h1>
      <ul>{teas.map((tea) => <li key={tea}>{tea}</li>)}</ul>
      <p>served at {served}</p>
    </main>
  );
}
