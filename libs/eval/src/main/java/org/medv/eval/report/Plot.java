package org.medv.eval.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * Drawing primitives for {@link Charts} on an off-screen image: value axes from 0, categorical slots along x,
 * grouped bars, polylines and a legend. A plot area is a {@link Rectangle} in pixels; slot i spans
 * {@code [x + i w / n, x + (i + 1) w / n)}.
 */
final class Plot implements AutoCloseable {
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd)};
    private static final Color GRID = new Color(0xdddddd);
    private static final int TICKS = 5;

    private final BufferedImage image;
    private final Graphics2D g;

    Plot(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    void title(String text) {
        Font font = g.getFont();
        g.setFont(font.deriveFont(Font.BOLD, 16f));
        g.setColor(Color.BLACK);
        centered(text, image.getWidth() / 2, 24);
        g.setFont(font);
    }

    /** The smallest of 1, 2, 2.5, 5 x 10^k that is >= max (and > 0). */
    static double niceMax(double max) {
        if (!(max > 0) || Double.isInfinite(max)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= max) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Grid lines, tick labels and a rotated axis label on the left of {@code area}, from 0 to {@code max}. */
    void yAxis(Rectangle area, double max, String label) {
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= TICKS; i++) {
            double value = max * i / TICKS;
            int y = y(area, max, value);
            g.setColor(GRID);
            g.drawLine(area.x, y, area.x + area.width, y);
            g.setColor(Color.DARK_GRAY);
            String text = tick(value);
            g.drawString(text, area.x - 6 - fm.stringWidth(text), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawLine(area.x, area.y, area.x, area.y + area.height);
        g.drawLine(area.x, area.y + area.height, area.x + area.width, area.y + area.height);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centered(label, -(area.y + area.height / 2), area.x - 48);
        g.setTransform(saved);
    }

    /** Slot labels under {@code area}, split into lines at commas; an axis title below them. */
    void xLabels(Rectangle area, List<String> labels, String axisTitle) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        int lines = 1;
        for (int i = 0; i < labels.size(); i++) {
            String[] parts = labels.get(i).split(",");
            lines = Math.max(lines, parts.length);
            for (int j = 0; j < parts.length; j++) {
                centered(parts[j], slotCenter(area, labels.size(), i), area.y + area.height + 16 + j * fm.getHeight());
            }
        }
        if (axisTitle != null) {
            centered(axisTitle, area.x + area.width / 2, area.y + area.height + 20 + lines * fm.getHeight());
        }
    }

    /** values[series][slot]; null values are skipped. Values are printed above their bars. */
    void bars(Rectangle area, double max, List<List<Double>> values) {
        int slots = values.isEmpty() ? 0 : values.get(0).size();
        FontMetrics fm = g.getFontMetrics();
        for (int slot = 0; slot < slots; slot++) {
            double slotWidth = (double) area.width / slots;
            double barWidth = slotWidth * 0.8 / values.size();
            double left = area.x + slot * slotWidth + slotWidth * 0.1;
            for (int s = 0; s < values.size(); s++) {
                Double v = values.get(s).get(slot);
                if (v == null) {
                    continue;
                }
                int top = y(area, max, v);
                int x = (int) Math.round(left + s * barWidth);
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fillRect(x, top, Math.max(1, (int) Math.round(barWidth) - 2), area.y + area.height - top);
                g.setColor(Color.DARK_GRAY);
                String text = String.format(Locale.ROOT, "%.1f", v);
                g.drawString(text, x + (int) (barWidth - fm.stringWidth(text)) / 2, top - 3);
            }
        }
    }

    /** A polyline through the slot centres with a dot and a value label at each non-null point. */
    void line(Rectangle area, double max, List<Double> values, Color color, String format) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int previousX = -1;
        int previousY = -1;
        for (int i = 0; i < values.size(); i++) {
            Double v = values.get(i);
            if (v == null) {
                previousX = -1;
                continue;
            }
            int x = slotCenter(area, values.size(), i);
            int y = y(area, max, v);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            g.fillOval(x - 4, y - 4, 8, 8);
            g.drawString(String.format(Locale.ROOT, format, v), x + 6, y - 6);
            previousX = x;
            previousY = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** A polyline over a numeric x axis: value i at {@code x = area.x + i * width / (n - 1)}; nulls break it. */
    void curve(Rectangle area, double max, List<Double> values, Color color, float width) {
        g.setColor(color);
        g.setStroke(new BasicStroke(width));
        int n = values.size();
        int previousX = -1;
        int previousY = -1;
        for (int i = 0; i < n; i++) {
            Double v = values.get(i);
            if (v == null || !Double.isFinite(v)) {
                previousX = -1;
                continue;
            }
            int x = (int) Math.round(area.x + (n == 1 ? 0 : (double) i * area.width / (n - 1)));
            int y = y(area, max, v);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            previousX = x;
            previousY = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** Numeric tick labels 0..{@code last} under {@code area} (positions as in {@link #curve}) and an axis title. */
    void xTicks(Rectangle area, long first, long last, String axisTitle) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        for (int i = 0; i <= TICKS; i++) {
            long value = first + Math.round((double) (last - first) * i / TICKS);
            int x = area.x + (int) Math.round((double) area.width * i / TICKS);
            g.drawLine(x, area.y + area.height, x, area.y + area.height + 4);
            centered(Long.toString(value), x, area.y + area.height + 18);
        }
        centered(axisTitle, area.x + area.width / 2, area.y + area.height + 22 + fm.getHeight());
    }

    void legend(int x, int y, List<String> names) {
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < names.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(x, y + i * (fm.getHeight() + 2), 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), x + 18, y + i * (fm.getHeight() + 2) + 11);
        }
    }

    void message(String text) {
        g.setColor(Color.DARK_GRAY);
        centered(text, image.getWidth() / 2, image.getHeight() / 2);
    }

    byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart as PNG", e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        g.dispose();
    }

    private static int y(Rectangle area, double max, double value) {
        double clamped = Math.max(0, Math.min(value, max));
        return (int) Math.round(area.y + area.height - clamped / max * area.height);
    }

    private static int slotCenter(Rectangle area, int slots, int i) {
        return (int) Math.round(area.x + (i + 0.5) * area.width / slots);
    }

    private void centered(String text, int x, int baseline) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    static String tick(double value) {
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (Math.abs(value) >= 1) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        // small axes (a loss of 0.02): as many decimals as the tick needs, up to four
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4f", value)).stripTrailingZeros()
                .toPlainString();
    }
}
