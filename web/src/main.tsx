// Entry point: styles, then the app into #app.
import "@picocss/pico/css/pico.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./App";

render(<App />, document.getElementById("app")!);
